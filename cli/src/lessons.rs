//! `kubeplay lessons [check] [DIR]` and `kubeplay lesson ID`: the lesson linter and a
//! terminal front end for lessons (text, live goal checklist, hints, solution).

use std::process::ExitCode;
use std::time::Instant;

use kubeplay_engine::lessons::{self, Lesson, LessonRun, Progress};
use kubeplay_engine::SimDuration;

use crate::input::Input;
use kubeplay_engine::sort::SliceSort;

/// `ko` when `$LANG` (or `$LC_ALL`) starts with `ko`, else `en`.
pub fn default_lang() -> String {
    let lang = std::env::var("LC_ALL")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| std::env::var("LANG").ok())
        .unwrap_or_default();
    if lang.starts_with("ko") {
        "ko".into()
    } else {
        "en".into()
    }
}

fn t<'a>(lang: &str, ko: &'a str, en: &'a str) -> &'a str {
    if lang == "ko" {
        ko
    } else {
        en
    }
}

/// The `*.yaml` files of `dir`, sorted by name, as (path, text).
fn load_dir(dir: &str) -> Result<Vec<(String, String)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{dir}: {e}"))?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.stable_sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            Ok((p.display().to_string(), text))
        })
        .collect()
}

/// `kubeplay lessons check [DIR]`: one line per lesson and a total; exit 1 on any failure.
pub fn check_dir(dir: &str) -> ExitCode {
    let files = match load_dir(dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("kubeplay: {e}");
            return ExitCode::from(2);
        }
    };
    if files.is_empty() {
        eprintln!("kubeplay: no lesson files (*.yaml) in {dir}");
        return ExitCode::FAILURE;
    }
    let reports = lessons::check(&files);
    for r in &reports {
        println!("{}", r.render());
    }
    let failed = reports.iter().filter(|r| !r.ok()).count();
    println!(
        "{} lessons: {} ok, {failed} failed",
        reports.len(),
        reports.len() - failed
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `kubeplay lessons [DIR]`: the lessons, in order.
pub fn list(dir: Option<&str>, lang: &str) -> ExitCode {
    let lessons = match dir {
        None => lessons::builtin(),
        Some(d) => match load_dir(d) {
            Ok(files) => {
                let mut ls: Vec<Lesson> = files
                    .iter()
                    .filter_map(|(f, t)| lessons::parse(f, t).ok())
                    .collect();
                ls.stable_sort_by_key(|l| l.order);
                ls
            }
            Err(e) => {
                eprintln!("kubeplay: {e}");
                return ExitCode::from(2);
            }
        },
    };
    for l in &lessons {
        println!(
            "{:>2}. {:<24} {} ({} {})",
            l.order,
            l.id,
            l.title.get(lang),
            l.minutes,
            t(lang, "분", "min")
        );
    }
    println!(
        "\n{}",
        t(
            lang,
            "`kubeplay lesson ID`로 시작하세요.",
            "Start one with `kubeplay lesson ID`."
        )
    );
    ExitCode::SUCCESS
}

/// Finds a lesson: a built-in id, or a lesson file's path.
fn find(id: &str) -> Result<Lesson, String> {
    if id.ends_with(".yaml") || id.ends_with(".yml") {
        let text = std::fs::read_to_string(id).map_err(|e| format!("{id}: {e}"))?;
        return lessons::parse(id, &text).map_err(|errs| {
            errs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        });
    }
    let all = lessons::builtin();
    if let Some(l) = all.iter().find(|l| l.id == id || l.order.to_string() == id) {
        return Ok(l.clone());
    }
    let ids: Vec<&str> = all.iter().map(|l| l.id.as_str()).collect();
    Err(format!(
        "no lesson {id:?}; the lessons are: {}",
        ids.join(", ")
    ))
}

/// `kubeplay lesson ID`: plays a lesson on the terminal (or from a piped script).
pub fn play(id: &str, seed: u64, lang: &str) -> ExitCode {
    let lesson = match find(id) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("kubeplay: {e}");
            return ExitCode::from(2);
        }
    };
    let (mut run, mut cluster) = match LessonRun::start(lesson, seed) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kubeplay: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut input = match Input::open() {
        Ok(i) => i,
        Err(e) => {
            eprintln!("kubeplay: {e}");
            return ExitCode::from(2);
        }
    };
    let l = run.lesson();
    println!(
        "{} {}: {}\n{}\n({} {})\n",
        t(lang, "수업", "Lesson"),
        l.order,
        l.title.get(lang),
        l.summary.get(lang).trim_end(),
        l.minutes,
        t(lang, "분 정도", "minutes or so"),
    );
    println!(
        "{}",
        t(
            lang,
            "명령: hint(힌트), solution(정답), goals(목표), step(단계 다시 보기), restart(단계 다시 시작), exit(끝내기)",
            "Commands: hint, solution, goals, step (show it again), restart (the step), exit"
        )
    );
    if input.is_terminal() {
        println!(
            "{}",
            t(
                lang,
                "시뮬레이션 시간은 실제 시간과 함께 흐르고, `sleep N`으로 앞당길 수 있습니다.",
                "Simulated time follows the clock; `sleep N` skips ahead."
            )
        );
    }
    print_step(&run, lang);
    let mut shown = met_states(&run, lang);
    let mut last_input = Instant::now();
    loop {
        let prompt = cluster.prompt();
        let in_container = prompt != "$ ";
        let Some(line) = input.read(&prompt, in_container) else {
            break;
        };
        if input.is_terminal() {
            // While the learner typed, the cluster went on.
            let secs = last_input.elapsed().as_secs().min(600);
            let mut progress = Progress::default();
            for _ in 0..secs {
                cluster.advance(SimDuration::seconds(1));
                let p = run.after_tick(&cluster);
                progress.completed.extend(p.completed);
                progress.finished |= p.finished;
            }
            if report(&run, &progress, lang) {
                break;
            }
        }
        let trimmed = line.trim();
        if !input.is_terminal() && !trimmed.is_empty() {
            println!("{}{line}", cluster.prompt());
        }
        match trimmed {
            "" => {}
            "exit" | "quit" if !in_container => break,
            "hint" | "힌트" => match run.next_hint(lang) {
                Some(h) => println!("💡 {}", h.trim_end()),
                None => println!(
                    "{}",
                    t(
                        lang,
                        "힌트를 모두 보았습니다. `solution`으로 정답을 볼 수 있습니다.",
                        "No more hints. `solution` shows the reference solution."
                    )
                ),
            },
            "solution" | "정답" => {
                for c in run.solution() {
                    println!("  {c}");
                }
            }
            "goals" | "목표" => print_checklist(&run, lang),
            "step" | "단계" => print_step(&run, lang),
            "restart" => {
                run.restart_step(&cluster);
                println!(
                    "{}",
                    t(lang, "이 단계를 다시 시작합니다.", "The step starts again.")
                );
                print_checklist(&run, lang);
            }
            _ => {
                let (out, mut progress) = run.run_line(&mut cluster, &line);
                crate::print_output(&out);
                if let Some(file) = &out.open_file {
                    crate::edit_file(&mut cluster, file);
                }
                if let Some(request) = out.edit {
                    crate::edit_loop(&mut cluster, *request);
                    let p = run.after_tick(&cluster);
                    progress.completed.extend(p.completed);
                    progress.finished |= p.finished;
                }
                if report(&run, &progress, lang) {
                    break;
                }
                let now = met_states(&run, lang);
                if progress.is_empty() && now != shown {
                    print_checklist(&run, lang);
                }
            }
        }
        shown = met_states(&run, lang);
        last_input = Instant::now();
    }
    input.close();
    ExitCode::SUCCESS
}

fn met_states(run: &LessonRun, lang: &str) -> Vec<bool> {
    run.checklist(lang).iter().map(|g| g.met).collect()
}

/// Prints completed steps and what comes next; returns whether the lesson is over.
fn report(run: &LessonRun, progress: &Progress, lang: &str) -> bool {
    for i in &progress.completed {
        let title = run.lesson().steps.get(*i).map_or("", |s| s.title.get(lang));
        println!(
            "\n✅ {} {}: {title} — {}",
            t(lang, "단계", "Step"),
            i + 1,
            t(lang, "완료!", "done!")
        );
    }
    if progress.finished {
        let l = run.lesson();
        println!(
            "\n🎉 {} — {}",
            l.title.get(lang),
            t(lang, "수업을 마쳤습니다!", "lesson complete!")
        );
        println!(
            "{} {} ({} {})",
            t(lang, "입력한 명령:", "Commands you ran:"),
            run.commands_used(),
            t(lang, "모범 답안:", "reference solution:"),
            run.reference_commands()
        );
        return true;
    }
    if !progress.is_empty() {
        print_step(run, lang);
    }
    false
}

fn print_step(run: &LessonRun, lang: &str) {
    let Some(step) = run.step() else {
        return;
    };
    println!(
        "\n── {} {}/{}: {} ──\n",
        t(lang, "단계", "Step"),
        run.step_index() + 1,
        run.lesson().steps.len(),
        step.title.get(lang)
    );
    println!("{}", run.step_text(lang).trim_end());
    print_checklist(run, lang);
}

fn print_checklist(run: &LessonRun, lang: &str) {
    let lines = run.checklist(lang);
    if lines.is_empty() {
        return;
    }
    println!("\n{}", t(lang, "목표:", "Goals:"));
    for g in lines {
        match (g.met, g.why) {
            (true, _) => println!("  [x] {}", g.label),
            (false, Some(why)) => println!("  [ ] {} — {why}", g.label),
            (false, None) => println!("  [ ] {}", g.label),
        }
    }
    println!();
}
