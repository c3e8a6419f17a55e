//! The learner's lesson progress as a small file they can download and load again
//! (another browser, a cleared profile). DOM-free; the lesson panel does the file handling.

use serde::{Deserialize, Serialize};

/// What the file says it is.
const KIND: &str = "kubeplay-progress";

/// The file's name when downloaded.
pub const FILE_NAME: &str = "kubeplay-progress.json";

#[derive(Serialize, Deserialize)]
struct File {
    kind: String,
    version: u32,
    completed: Vec<String>,
}

/// The progress file for these finished lessons.
pub fn export(completed: &[String]) -> String {
    let file = File {
        kind: KIND.to_string(),
        version: 1,
        completed: completed.to_vec(),
    };
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// Why a progress file was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// Not JSON, or not shaped like a progress file.
    NotProgress,
    /// A progress file of a newer version.
    Newer(u32),
}

/// Reads a progress file: the finished lessons it names that `known` has (others are
/// ignored, so a file from a newer Kubeplay still loads what this one knows).
pub fn import(text: &str, known: &[String]) -> Result<Vec<String>, ImportError> {
    let file: File = serde_json::from_str(text).map_err(|_| ImportError::NotProgress)?;
    if file.kind != KIND {
        return Err(ImportError::NotProgress);
    }
    if file.version != 1 {
        return Err(ImportError::Newer(file.version));
    }
    let mut ids: Vec<String> = Vec::new();
    for id in file.completed {
        if known.contains(&id) && !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_files() {
        let known = vec!["first-pod".to_string(), "namespaces".to_string()];
        let text = export(&["first-pod".into(), "gone".into()]);
        assert_eq!(import(&text, &known), Ok(vec!["first-pod".to_string()]));
        assert_eq!(import("not json", &known), Err(ImportError::NotProgress));
        assert_eq!(import("[1, 2]", &known), Err(ImportError::NotProgress));
        assert_eq!(
            import(r#"{"kind":"other","version":1,"completed":[]}"#, &known),
            Err(ImportError::NotProgress)
        );
        assert_eq!(
            import(
                r#"{"kind":"kubeplay-progress","version":2,"completed":[]}"#,
                &known
            ),
            Err(ImportError::Newer(2))
        );
        assert_eq!(
            import(
                r#"{"kind":"kubeplay-progress","version":1,"completed":["namespaces","namespaces"]}"#,
                &known
            ),
            Ok(vec!["namespaces".to_string()])
        );
    }
}
