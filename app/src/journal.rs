//! What the page saves so a reload finds the cluster as it was: not the cluster itself but
//! everything that happened to it. The engine is deterministic, so replaying the journal on
//! a fresh cluster rebuilds the same objects, names, files and clock.
//!
//! DOM-free: the record is plain JSON; `storage` puts it in `localStorage`.

use kubeplay_engine::{Cluster, EditOutcome, EditRequest, SimDuration};
use serde::{Deserialize, Serialize};

/// Version of the saved record. A record of another version is discarded, never misread.
pub const FORMAT: u32 = 1;

/// Key of the record in `localStorage`.
pub const STORAGE_KEY: &str = "kubeplay.session";

/// At most this many history entries are kept.
const MAX_HISTORY: usize = 500;

/// One thing that happened to the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    /// A console line (a whole entry, heredoc included).
    Run(String),
    /// Simulated time passed, in milliseconds (consecutive advances are merged).
    Advance(i64),
    /// Ctrl-C on a running command.
    Interrupt,
    /// The editor saved this text for the `kubectl edit` opened by the entry before.
    FinishEdit(String),
    /// The editor wrote a workspace file.
    WriteFile {
        /// The file's path.
        path: String,
        /// Its new text.
        text: String,
    },
}

/// Settings the learner chose.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Interface language (`en`, `ko`), if chosen rather than taken from the browser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// The saved session.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// [`FORMAT`] when written.
    pub format: u32,
    /// The engine's Kubernetes version when written (a newer engine still replays it).
    pub engine: String,
    /// Everything that happened to the cluster, in order.
    pub journal: Vec<Entry>,
    /// Console history, oldest first.
    pub history: Vec<String>,
    /// The learner's settings.
    pub settings: Settings,
}

/// Why a saved record was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// Not JSON of the expected shape.
    Corrupt(String),
    /// Written by another format version.
    OtherFormat(u32),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Corrupt(why) => write!(f, "the saved session is damaged ({why})"),
            LoadError::OtherFormat(v) => {
                write!(f, "the saved session is from another version (format {v})")
            }
        }
    }
}

impl Record {
    /// An empty record of the current format.
    pub fn new() -> Self {
        Record {
            format: FORMAT,
            engine: kubeplay_engine::KUBERNETES_VERSION.to_string(),
            ..Record::default()
        }
    }

    /// Parses a saved record, refusing damaged ones and other formats.
    pub fn decode(text: &str) -> Result<Record, LoadError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| LoadError::Corrupt(e.to_string()))?;
        let format = value.get("format").and_then(|f| f.as_u64()).unwrap_or(0) as u32;
        if format != FORMAT {
            return Err(LoadError::OtherFormat(format));
        }
        serde_json::from_value(value).map_err(|e| LoadError::Corrupt(e.to_string()))
    }

    /// The record as JSON.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Adds an entry, merging consecutive advances.
    pub fn push(&mut self, entry: Entry) {
        if let (Entry::Advance(more), Some(Entry::Advance(ms))) = (&entry, self.journal.last_mut())
        {
            *ms += more;
            return;
        }
        self.journal.push(entry);
    }

    /// Remembers a console entry in the history (no blank lines, no immediate repeats).
    pub fn remember(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() || self.history.last().map(String::as_str) == Some(line) {
            return;
        }
        self.history.push(line.to_string());
        if self.history.len() > MAX_HISTORY {
            let extra = self.history.len() - MAX_HISTORY;
            self.history.drain(..extra);
        }
    }

    /// Forgets the cluster (journal), keeping history and settings.
    pub fn reset_cluster(&mut self) {
        self.journal.clear();
    }
}

/// Replays a journal on `cluster`. Ends with no command running and no editor open, so the
/// restored page starts at a prompt.
pub fn replay(cluster: &mut Cluster, journal: &[Entry]) {
    let mut edit: Option<EditRequest> = None;
    for entry in journal {
        match entry {
            Entry::Run(line) => {
                let out = cluster.run(line);
                edit = out.edit.map(|e| *e);
            }
            Entry::Advance(ms) => cluster.advance(SimDuration::millis(*ms)),
            Entry::Interrupt => {
                cluster.interrupt();
            }
            Entry::FinishEdit(text) => {
                if let Some(request) = edit.take() {
                    if let EditOutcome::Reopen(next, _) = cluster.finish_edit(&request, text) {
                        edit = Some(next);
                    }
                }
            }
            Entry::WriteFile { path, text } => {
                let _ = cluster.write_file(path, text);
            }
        }
    }
    if cluster.job_running() {
        cluster.interrupt();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streaming() -> Cluster {
        let mut c = Cluster::new();
        c.set_streaming(true);
        c
    }

    #[test]
    fn merges_consecutive_advances() {
        let mut r = Record::new();
        r.push(Entry::Advance(250));
        r.push(Entry::Advance(250));
        r.push(Entry::Run("kubectl get pods".into()));
        r.push(Entry::Advance(5000));
        assert_eq!(
            r.journal,
            vec![
                Entry::Advance(500),
                Entry::Run("kubectl get pods".into()),
                Entry::Advance(5000)
            ]
        );
    }

    #[test]
    fn round_trips_and_refuses_bad_records() {
        let mut r = Record::new();
        r.push(Entry::Run(
            "kubectl create deployment web --image=nginx".into(),
        ));
        r.push(Entry::WriteFile {
            path: "pod.yaml".into(),
            text: "kind: Pod\n# 한국어 주석\n".into(),
        });
        r.remember("kubectl get pods");
        r.settings.locale = Some("ko".into());
        assert_eq!(Record::decode(&r.encode()), Ok(r));
        assert!(matches!(
            Record::decode("{not json"),
            Err(LoadError::Corrupt(_))
        ));
        assert_eq!(
            Record::decode(r#"{"format": 0, "journal": []}"#),
            Err(LoadError::OtherFormat(0))
        );
        assert!(matches!(
            Record::decode(r#"{"format": 1, "journal": [{"launch": 1}]}"#),
            Err(LoadError::Corrupt(_))
        ));
    }

    #[test]
    fn replay_rebuilds_the_same_cluster() {
        let mut live = streaming();
        let mut r = Record::new();
        let step = |c: &mut Cluster, r: &mut Record, e: Entry| {
            replay(c, std::slice::from_ref(&e));
            r.push(e);
        };
        step(
            &mut live,
            &mut r,
            Entry::Run("kubectl create deployment web --image=nginx --replicas=3".into()),
        );
        for _ in 0..40 {
            step(&mut live, &mut r, Entry::Advance(250));
        }
        step(
            &mut live,
            &mut r,
            Entry::Run("kubectl set image deployment/web nginx=nginx:1.27".into()),
        );
        step(
            &mut live,
            &mut r,
            Entry::WriteFile {
                path: "notes.txt".into(),
                text: "hello\n".into(),
            },
        );
        for _ in 0..20 {
            step(&mut live, &mut r, Entry::Advance(250));
        }
        let mut restored = streaming();
        replay(&mut restored, &Record::decode(&r.encode()).unwrap().journal);
        for cmd in [
            "kubectl get pods -o wide",
            "kubectl get rs",
            "cat notes.txt",
        ] {
            assert_eq!(live.run(cmd).stdout(), restored.run(cmd).stdout(), "{cmd}");
        }
    }

    #[test]
    fn replay_ends_running_watches_and_open_editors() {
        let mut c = streaming();
        replay(
            &mut c,
            &[
                Entry::Run("kubectl get pods -w".into()),
                Entry::Advance(3000),
            ],
        );
        assert!(!c.job_running());
        replay(
            &mut c,
            &[
                Entry::Run("kubectl create deployment web --image=nginx".into()),
                Entry::Run("kubectl edit deployment web".into()),
                Entry::FinishEdit("not: [valid".into()),
            ],
        );
        assert!(!c.job_running());
    }

    #[test]
    fn history_skips_blanks_and_repeats_and_is_bounded() {
        let mut r = Record::new();
        r.remember("a");
        r.remember("a");
        r.remember("  ");
        r.remember("b");
        assert_eq!(r.history, vec!["a", "b"]);
        for i in 0..600 {
            r.remember(&i.to_string());
        }
        assert_eq!(r.history.len(), MAX_HISTORY);
        assert_eq!(r.history.last().map(String::as_str), Some("599"));
    }
}
