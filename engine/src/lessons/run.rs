//! `LessonRun`: one learner going through one lesson — the current step, its goal evaluated
//! after every command and tick, hints revealed, commands used.

use super::format::{Lesson, Step};
use super::goals::{Eval, GoalLine};
use super::history::History;
use crate::clock::SimDuration;
use crate::cluster::{Cluster, ClusterConfig, ClusterProfile};
use crate::output::Output;

/// What changed after a command or a tick.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Indexes of the steps completed just now, in order.
    pub completed: Vec<usize>,
    /// The last step was completed just now.
    pub finished: bool,
}

impl Progress {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.completed.is_empty()
    }

    fn merge(&mut self, other: Progress) {
        self.completed.extend(other.completed);
        self.finished |= other.finished;
    }
}

/// A lesson being played.
#[derive(Clone, Debug)]
pub struct LessonRun {
    lesson: Lesson,
    step: usize,
    history: Option<History>,
    /// The current step's checklist lines, as last evaluated.
    last: Vec<Eval>,
    /// Whether the current step's goal already held when the step started.
    met_at_start: bool,
    hints_shown: usize,
    commands_used: usize,
    step_commands: usize,
}

impl LessonRun {
    /// The cluster a lesson plays on: its profile, the given seed.
    pub fn cluster_config(lesson: &Lesson, seed: u64) -> ClusterConfig {
        ClusterConfig {
            seed,
            profile: lesson
                .profile
                .as_deref()
                .and_then(ClusterProfile::named)
                .unwrap_or_else(ClusterProfile::multi_node),
        }
    }

    /// Builds the lesson's cluster, runs its setup and starts step 1.
    pub fn start(lesson: Lesson, seed: u64) -> Result<(LessonRun, Cluster), String> {
        let mut cluster = Cluster::with_config(Self::cluster_config(&lesson, seed));
        let run = Self::begin(lesson, &mut cluster)?;
        Ok((run, cluster))
    }

    /// Runs the lesson's setup on `cluster` (built from [`LessonRun::cluster_config`]) and
    /// starts step 1. Fails with the failing setup command and its output.
    pub fn begin(lesson: Lesson, cluster: &mut Cluster) -> Result<LessonRun, String> {
        for f in &lesson.setup.files {
            cluster
                .write_file(&f.path, &f.content)
                .map_err(|e| format!("setup: writing {}: {e}", f.path))?;
        }
        let mut commands: Vec<String> = lesson
            .setup
            .manifests
            .iter()
            .map(|(m, _)| format!("kubectl apply -f - <<'LESSON_EOF'\n{m}\nLESSON_EOF"))
            .collect();
        commands.extend(lesson.setup.commands.iter().cloned());
        for c in &commands {
            let out = run_console_line(cluster, c, &mut |_| {});
            if out.exit_code != 0 {
                return Err(format!("setup: `{c}` failed:\n{}", out.text().trim_end()));
            }
        }
        let mut run = LessonRun {
            lesson,
            step: 0,
            history: None,
            last: Vec::new(),
            met_at_start: false,
            hints_shown: 0,
            commands_used: 0,
            step_commands: 0,
        };
        run.start_step(cluster);
        Ok(run)
    }

    fn start_step(&mut self, cluster: &Cluster) {
        self.hints_shown = 0;
        self.step_commands = 0;
        self.history = self
            .lesson
            .steps
            .get(self.step)
            .map(|s| History::start(&s.goal, cluster));
        self.evaluate(cluster);
        self.met_at_start = self.goal_met();
    }

    /// The lesson.
    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    /// Index of the current step (equal to the number of steps once finished).
    pub fn step_index(&self) -> usize {
        self.step
    }

    /// The current step, `None` once finished.
    pub fn step(&self) -> Option<&Step> {
        self.lesson.steps.get(self.step)
    }

    /// The current step's title in `locale` (empty once finished).
    pub fn step_title(&self, locale: &str) -> &str {
        self.step().map_or("", |s| s.title.get(locale))
    }

    /// The current step's markdown text in `locale` (empty once finished).
    pub fn step_text(&self, locale: &str) -> &str {
        self.step().map_or("", |s| s.text.get(locale))
    }

    /// Whether every step is done.
    pub fn finished(&self) -> bool {
        self.step >= self.lesson.steps.len()
    }

    /// Whether the current step's goal held as it started (a lesson bug the checker reports).
    pub fn goal_met_at_start(&self) -> bool {
        self.met_at_start
    }

    /// Whether the current step's goal holds as last evaluated.
    pub fn goal_met(&self) -> bool {
        !self.finished() && self.last.iter().all(|e| e.met)
    }

    /// The current step's goals in `locale`: label, met, and why not yet.
    pub fn checklist(&self, locale: &str) -> Vec<GoalLine> {
        let Some(step) = self.step() else {
            return Vec::new();
        };
        step.goal
            .lines()
            .iter()
            .zip(&self.last)
            .map(|(pred, eval)| GoalLine {
                label: pred.label_text().get(locale).to_string(),
                met: eval.met,
                why: eval.why.as_ref().map(|w| w.get(locale).to_string()),
            })
            .collect()
    }

    /// Reveals the next hint of the current step, if any is left.
    pub fn next_hint(&mut self, locale: &str) -> Option<String> {
        let hint = self
            .step()?
            .hints
            .get(self.hints_shown)?
            .get(locale)
            .to_string();
        self.hints_shown += 1;
        Some(hint)
    }

    /// How many hints of the current step were revealed.
    pub fn hints_shown(&self) -> usize {
        self.hints_shown
    }

    /// The current step's reference solution.
    pub fn solution(&self) -> &[String] {
        self.step().map_or(&[], |s| s.solution.as_slice())
    }

    /// Console lines the learner ran so far (in all steps).
    pub fn commands_used(&self) -> usize {
        self.commands_used
    }

    /// Console lines the learner ran in the current step.
    pub fn step_commands_used(&self) -> usize {
        self.step_commands
    }

    /// Commands in the reference solutions of all steps (`sleep` not counted).
    pub fn reference_commands(&self) -> usize {
        self.lesson
            .steps
            .iter()
            .flat_map(|s| &s.solution)
            .filter(|c| sleep_seconds(c).is_none())
            .count()
    }

    /// Forgets what happened in the current step (commands, events, `always`/`ever`) and
    /// starts it again from the cluster as it is now.
    pub fn restart_step(&mut self, cluster: &Cluster) {
        self.start_step(cluster);
    }

    /// Runs one console line and checks the goal. `sleep N` lets time pass a second at a time,
    /// checking after each, so history goals see what happens meanwhile. A `kubectl edit` in
    /// the output is the caller's to finish; call [`LessonRun::after_command`] after it.
    pub fn run_line(&mut self, cluster: &mut Cluster, line: &str) -> (Output, Progress) {
        let mut progress = Progress::default();
        let out = run_console_line(cluster, line, &mut |c| progress.merge(self.after_tick(c)));
        progress.merge(self.after_command(cluster, line, &out));
        (out, progress)
    }

    /// Call after the cluster ran `line` (with output `out`).
    pub fn after_command(&mut self, cluster: &Cluster, line: &str, out: &Output) -> Progress {
        if self.finished() || line.trim().is_empty() {
            return Progress::default();
        }
        self.commands_used += 1;
        self.step_commands += 1;
        if let (Some(h), Some(step)) = (self.history.as_mut(), self.lesson.steps.get(self.step)) {
            h.command(&step.goal, line, out.exit_code, &out.text());
        }
        self.update(cluster)
    }

    /// Call after simulated time passed ([`Cluster::advance`]).
    pub fn after_tick(&mut self, cluster: &Cluster) -> Progress {
        self.update(cluster)
    }

    fn evaluate(&mut self, cluster: &Cluster) {
        let (Some(step), Some(history)) = (self.lesson.steps.get(self.step), self.history.as_mut())
        else {
            self.last.clear();
            return;
        };
        history.observe(&step.goal, cluster);
        history.observe_traffic(&step.goal, cluster);
        self.last = step
            .goal
            .lines()
            .iter()
            .map(|p| p.eval(cluster, history))
            .collect();
    }

    fn update(&mut self, cluster: &Cluster) -> Progress {
        let mut progress = Progress::default();
        if self.finished() {
            return progress;
        }
        self.evaluate(cluster);
        if self.goal_met() {
            progress.completed.push(self.step);
            self.step += 1;
            if self.finished() {
                progress.finished = true;
                self.history = None;
                self.last.clear();
            } else {
                self.start_step(cluster);
            }
        }
        progress
    }
}

/// The seconds of a line that is only `sleep N` (`N`, `Ns`), else `None`.
pub(crate) fn sleep_seconds(line: &str) -> Option<f64> {
    let mut words = line.split_whitespace();
    if words.next()? != "sleep" {
        return None;
    }
    let n = words.next()?;
    if words.next().is_some() {
        return None;
    }
    let secs: f64 = n.strip_suffix('s').unwrap_or(n).parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then_some(secs)
}

/// Runs a line; `sleep N` lets time pass, calling `tick` at each instant the cluster changed
/// (its [`Cluster::generation`] moved): goals are evaluated on change, not every second, so a
/// day of sleep costs what happens in it.
fn run_console_line(cluster: &mut Cluster, line: &str, tick: &mut dyn FnMut(&Cluster)) -> Output {
    // Inside a container shell (`kubectl exec -it`), `sleep` is the container's.
    let at_console = cluster.prompt() == "$ ";
    match sleep_seconds(line).filter(|_| at_console) {
        Some(secs) => {
            let end = cluster.uptime().0 + (secs * 1000.0).min(86_400_000.0) as i64;
            loop {
                let seen = cluster.generation();
                let left = end - cluster.uptime().0;
                if left <= 0 {
                    break;
                }
                cluster.advance_until(SimDuration::millis(left), |c| c.generation() != seen);
                if cluster.generation() != seen {
                    tick(cluster);
                }
            }
            Output::default()
        }
        None => cluster.run(line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_lines_are_recognised() {
        assert_eq!(sleep_seconds("sleep 5"), Some(5.0));
        assert_eq!(sleep_seconds(" sleep 2s "), Some(2.0));
        assert_eq!(sleep_seconds("sleep 5; ls"), None);
        assert_eq!(sleep_seconds("sleep -1"), None);
        assert_eq!(sleep_seconds("kubectl get pods"), None);
    }
}
