//! What the synthetic-notice tests share: comparing the names and posts a
//! detector read with the ones a generated notice printed.

/// A name or post as its lowercase words, sorted, so that "QUILLAN
/// Tobias", "Quillan Tobias" and "Tobias QUILLAN" compare equal; a
/// trailing "ward" is dropped.
pub fn words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.last().is_some_and(|w| w == "ward") {
        words.pop();
    }
    words.sort();
    words
}
