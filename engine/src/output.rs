//! What a console command produces: text on stdout and stderr, in order, and an exit code.

/// Which stream a piece of output went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error (errors, warnings, "No resources found").
    Stderr,
}

/// The result of one console line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// Output pieces in the order they were written; each ends with a newline.
    pub chunks: Vec<(Stream, String)>,
    /// Exit code of the last command (0 = success), as `$?` would show.
    pub exit_code: i32,
    /// The command asked the screen to be cleared (`clear`).
    pub clear: bool,
}

impl Output {
    /// Appends `text` to stdout, adding a final newline if missing.
    pub fn out(&mut self, text: impl AsRef<str>) {
        self.push(Stream::Stdout, text.as_ref());
    }

    /// Appends `text` to stderr, adding a final newline if missing.
    pub fn err(&mut self, text: impl AsRef<str>) {
        self.push(Stream::Stderr, text.as_ref());
    }

    /// Appends `text` to stdout exactly as given.
    pub fn out_raw(&mut self, text: impl Into<String>) {
        let text = text.into();
        if !text.is_empty() {
            self.chunks.push((Stream::Stdout, text));
        }
    }

    fn push(&mut self, stream: Stream, text: &str) {
        let mut s = text.to_string();
        if !s.ends_with('\n') {
            s.push('\n');
        }
        self.chunks.push((stream, s));
    }

    /// Appends everything another output wrote and takes its exit code.
    pub fn extend(&mut self, other: Output) {
        self.chunks.extend(other.chunks);
        self.exit_code = other.exit_code;
        self.clear |= other.clear;
    }

    /// All output as one string, stdout and stderr interleaved as a terminal shows them.
    pub fn text(&self) -> String {
        self.chunks.iter().map(|(_, s)| s.as_str()).collect()
    }

    /// Only what went to stdout.
    pub fn stdout(&self) -> String {
        self.stream_text(Stream::Stdout)
    }

    /// Only what went to stderr.
    pub fn stderr(&self) -> String {
        self.stream_text(Stream::Stderr)
    }

    fn stream_text(&self, which: Stream) -> String {
        self.chunks
            .iter()
            .filter(|(s, _)| *s == which)
            .map(|(_, t)| t.as_str())
            .collect()
    }

    /// A failed command: `message` on stderr and exit code 1.
    pub fn failure(message: impl AsRef<str>) -> Output {
        let mut o = Output::default();
        o.err(message);
        o.exit_code = 1;
        o
    }
}
