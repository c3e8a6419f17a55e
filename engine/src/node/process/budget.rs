//! The one budget of a shell command, in the console and in containers: how large a string
//! may grow (a variable, an argument, a `$(...)` result), how many bytes a command may print
//! or pass down a pipe, and how many loop passes an entry may make. A real shell would grow
//! until the machine runs out; Kubeplay stops at these limits, with [`Limit::message`]
//! (what limit, how to avoid it), never silently cutting.

/// The largest string: a variable's value, an argument, a `$(...)` result (room for
/// `$(kubectl get pods -A -o yaml)` over a thousand pods).
pub const MAX_STRING: usize = 4 << 20;
/// The most bytes one command prints (or passes to the next command of a pipe), and an
/// entry's loops print between two pauses: more than a full container log (10 MiB before
/// the kubelet rotates it), so `kubectl logs POD | grep …` always works.
pub const MAX_OUTPUT: usize = 16 << 20;
/// The most bytes all of a shell's variables hold together.
pub const MAX_VARIABLES: usize = 4 * MAX_STRING;
/// The most loop passes (each test of a `while`, each word of a `for`) an entry makes
/// between two pauses.
pub const MAX_PASSES: u32 = 10_000;
/// The most commands that reach the cluster (`kubectl`) an entry's loops run between two
/// pauses: each lets the controllers, scheduler and kubelets react, so ten thousand pods
/// created in one loop would take minutes.
pub const MAX_CLUSTER_COMMANDS: u32 = 1_000;

/// A limit that was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// [`MAX_STRING`] (or [`MAX_VARIABLES`]).
    String,
    /// [`MAX_OUTPUT`].
    Output,
    /// [`MAX_PASSES`].
    Passes,
    /// [`MAX_CLUSTER_COMMANDS`].
    ClusterCommands,
}

impl Limit {
    /// What `shell` prints when the limit stops a command, e.g. `bash: output of this
    /// command exceeds 16 MiB: Kubeplay stops it here (use head or a smaller loop)`.
    pub fn message(self, shell: &str) -> String {
        let (what, hint) = match self {
            Limit::String => (
                format!("a string of this command exceeds {} MiB", MAX_STRING >> 20),
                "keep variables, arguments and $(...) results smaller",
            ),
            Limit::Output => (
                format!("output of this command exceeds {} MiB", MAX_OUTPUT >> 20),
                "use head or a smaller loop",
            ),
            Limit::Passes => (
                format!("this loop exceeds {MAX_PASSES} passes"),
                "use a smaller loop, or sleep in it",
            ),
            Limit::ClusterCommands => (
                format!("this loop runs kubectl more than {MAX_CLUSTER_COMMANDS} times"),
                "use a smaller loop, or sleep in it",
            ),
        };
        format!("{shell}: {what}: Kubeplay stops it here ({hint})")
    }
}

/// What an entry has used since it started or last paused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Budget {
    passes: u32,
    bytes: usize,
    cluster_commands: u32,
}

impl Budget {
    /// Starts again (a new entry, or one that paused in a `sleep`).
    pub fn reset(&mut self) {
        *self = Budget::default();
    }

    /// Counts one loop pass.
    pub fn pass(&mut self) -> Result<(), Limit> {
        self.passes = self.passes.saturating_add(1);
        if self.passes > MAX_PASSES {
            return Err(Limit::Passes);
        }
        Ok(())
    }

    /// Counts a command of a loop that reaches the cluster.
    pub fn cluster_command(&mut self) -> Result<(), Limit> {
        self.cluster_commands = self.cluster_commands.saturating_add(1);
        if self.cluster_commands > MAX_CLUSTER_COMMANDS {
            return Err(Limit::ClusterCommands);
        }
        Ok(())
    }

    /// Counts bytes a loop printed or captured.
    pub fn print(&mut self, bytes: usize) -> Result<(), Limit> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > MAX_OUTPUT {
            return Err(Limit::Output);
        }
        Ok(())
    }
}

/// Checks a string's size.
pub fn string(len: usize) -> Result<(), Limit> {
    if len > MAX_STRING {
        return Err(Limit::String);
    }
    Ok(())
}

/// Checks one command's output.
pub fn output(len: usize) -> Result<(), Limit> {
    if len > MAX_OUTPUT {
        return Err(Limit::Output);
    }
    Ok(())
}

/// Checks what all variables hold.
pub fn variables<'a>(values: impl IntoIterator<Item = &'a String>) -> Result<(), Limit> {
    let total = values
        .into_iter()
        .fold(0usize, |sum, v| sum.saturating_add(v.len()));
    if total > MAX_VARIABLES {
        return Err(Limit::String);
    }
    Ok(())
}

/// `text` cut to at most `max` bytes, at a character boundary.
pub fn cut(text: &mut String, max: usize) {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_messages() {
        let mut b = Budget::default();
        for _ in 0..MAX_PASSES {
            assert_eq!(b.pass(), Ok(()));
        }
        assert_eq!(b.pass(), Err(Limit::Passes));
        for _ in 0..MAX_CLUSTER_COMMANDS {
            assert_eq!(b.cluster_command(), Ok(()));
        }
        assert_eq!(b.cluster_command(), Err(Limit::ClusterCommands));
        b.reset();
        assert_eq!(b.print(MAX_OUTPUT), Ok(()));
        assert_eq!(b.print(1), Err(Limit::Output));
        assert_eq!(string(MAX_STRING + 1), Err(Limit::String));
        assert_eq!(
            Limit::Output.message("bash"),
            "bash: output of this command exceeds 16 MiB: Kubeplay stops it here (use head or a smaller loop)"
        );
        let mut s = "é".repeat(3);
        cut(&mut s, 3);
        assert_eq!(s, "é");
    }
}
