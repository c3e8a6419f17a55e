//! The load generators of the docs' resource examples: `stress` (1.0.4, in `polinux/stress`
//! and `progrium/stress`), `stress-ng`, and `vish/stress` (`/stress -cpus N -mem-total Q`).
//! Each CPU hog keeps one core busy; each `--vm` worker holds its `--vm-bytes` (and spins on
//! them unless `--vm-hang` makes it sleep). Usage goes to [`Busy`]; `node::usage` charges it.

use super::script::{Busy, End, Line, Run};

/// Whether `exe` (argv[0]) runs one of these programs in `image`.
pub fn is_stress(image: &str, exe: &str) -> bool {
    let base = exe.rsplit('/').next().unwrap_or(exe);
    matches!(base, "stress" | "stress-ng")
        && super::with_image_name(image, |name, _| matches!(name, "stress" | "stress-ng"))
}

/// Runs `exe args...`: its log lines, when it ends (`--timeout`) and what it uses.
pub fn run(exe: &str, args: &[String]) -> Run {
    let base = exe.rsplit('/').next().unwrap_or(exe);
    let single_dash = args
        .iter()
        .any(|a| a.starts_with('-') && !a.starts_with("--"))
        && !args.iter().any(|a| a.starts_with("--"));
    let opts = if base == "stress" && exe.starts_with('/') && single_dash {
        vish(args)
    } else {
        Opts::parse(args)
    };
    let workers = opts.cpu + opts.vm;
    let busy = Busy {
        at: 0,
        cpu_milli: (opts.cpu + if opts.vm_hang { 0 } else { opts.vm }).saturating_mul(1_000),
        memory_bytes: opts.vm.saturating_mul(opts.vm_bytes),
    };
    let mut lines = Vec::new();
    if base == "stress" && !opts.vish {
        lines.push(Line {
            at: 0,
            text: format!(
                "stress: info: [1] dispatching hogs: {} cpu, {} io, {} vm, {} hdd",
                opts.cpu, opts.io, opts.vm, opts.hdd
            ),
            stderr: false,
        });
    }
    let end = match opts.timeout_ms {
        Some(ms) if !opts.vish => {
            if base == "stress" {
                lines.push(Line {
                    at: ms,
                    text: format!(
                        "stress: info: [1] successful run completed in {}s",
                        ms / 1000
                    ),
                    stderr: false,
                });
            }
            End::Exit { at: ms, code: 0 }
        }
        _ => End::Running,
    };
    let mut run = Run::new(lines, end);
    run.busy = (workers > 0 || busy.memory_bytes > 0).then_some(busy);
    run
}

/// What the command line asks for.
#[derive(Debug, Default)]
struct Opts {
    cpu: u64,
    io: u64,
    vm: u64,
    hdd: u64,
    vm_bytes: u64,
    vm_hang: bool,
    timeout_ms: Option<i64>,
    vish: bool,
}

/// Most workers of one kind Kubeplay accounts for.
const MAX_WORKERS: u64 = 256;

impl Opts {
    /// `stress`/`stress-ng` options: `-c/--cpu N`, `-i/--io N`, `-m/--vm N`, `-d/--hdd N`,
    /// `--vm-bytes B` (default 256M), `--vm-hang N`, `-t/--timeout N[smhd]`.
    fn parse(args: &[String]) -> Opts {
        let mut o = Opts {
            vm_bytes: 256 << 20,
            ..Opts::default()
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let (flag, inline) = match a.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
                _ => (a.as_str(), None),
            };
            let takes_value = matches!(
                flag,
                "-c" | "--cpu"
                    | "-i"
                    | "--io"
                    | "-m"
                    | "--vm"
                    | "-d"
                    | "--hdd"
                    | "--vm-bytes"
                    | "--vm-hang"
                    | "-t"
                    | "--timeout"
                    | "--backoff"
                    | "--vm-stride"
                    | "--hdd-bytes"
            );
            if !takes_value {
                continue;
            }
            let value = inline.or_else(|| it.next().cloned()).unwrap_or_default();
            let count = || value.parse::<u64>().unwrap_or(0).min(MAX_WORKERS);
            match flag {
                "-c" | "--cpu" => o.cpu = count(),
                "-i" | "--io" => o.io = count(),
                "-m" | "--vm" => o.vm = count(),
                "-d" | "--hdd" => o.hdd = count(),
                "--vm-bytes" => o.vm_bytes = bytes(&value).unwrap_or(o.vm_bytes),
                "--vm-hang" => o.vm_hang = true,
                "-t" | "--timeout" => o.timeout_ms = seconds(&value).map(|s| s * 1000),
                _ => {}
            }
        }
        o
    }
}

/// `vish/stress` (Go flags): `-cpus N`, `-mem-total Q` (a Kubernetes quantity).
fn vish(args: &[String]) -> Opts {
    let mut o = Opts {
        vish: true,
        vm_hang: true,
        ..Opts::default()
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let name = a.trim_start_matches('-');
        let (name, inline) = match name.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (name, None),
        };
        if !matches!(
            name,
            "cpus" | "mem-total" | "mem-alloc-size" | "mem-alloc-sleep"
        ) {
            continue;
        }
        let value = inline.or_else(|| it.next().cloned()).unwrap_or_default();
        match name {
            "cpus" => o.cpu = value.parse::<u64>().unwrap_or(0).min(MAX_WORKERS),
            "mem-total" => {
                let total = crate::api::quantity::parse(&value).unwrap_or(0.0);
                o.vm = u64::from(total >= 1.0);
                o.vm_bytes = total.clamp(0.0, 1e15) as u64;
            }
            _ => {}
        }
    }
    o
}

/// `stress`'s sizes: a number with `b`, `k`, `m` or `g` (powers of 1024).
fn bytes(v: &str) -> Option<u64> {
    let v = v.trim();
    let (n, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len()));
    let n: u64 = n.parse().ok()?;
    let m = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(m)
}

/// `stress`'s durations: seconds with an optional `s`, `m`, `h`, `d`, `y`.
fn seconds(v: &str) -> Option<i64> {
    let v = v.trim();
    let (n, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len()));
    let n: i64 = n.parse().ok()?;
    let m = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "y" => 31_536_000,
        _ => return None,
    };
    n.checked_mul(m).filter(|s| *s <= 400 * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn memory_and_cpu_hogs() {
        let r = run("stress", &args("--vm 1 --vm-bytes 150M --vm-hang 1"));
        assert_eq!(
            r.lines[0].text,
            "stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd"
        );
        assert_eq!(r.end, End::Running);
        let b = r.busy.unwrap();
        assert_eq!((b.cpu_milli, b.memory_bytes), (0, 150 << 20));
        let r = run("stress", &args("--cpu 2 --timeout 10s"));
        assert_eq!(
            r.end,
            End::Exit {
                at: 10_000,
                code: 0
            }
        );
        assert_eq!(r.busy.unwrap().cpu_milli, 2_000);
        let r = run("/stress", &args("-cpus 2"));
        assert!(r.lines.is_empty());
        assert_eq!(r.busy.unwrap().cpu_milli, 2_000);
        let r = run("/stress", &args("-mem-total 150Mi"));
        assert_eq!(r.busy.unwrap().memory_bytes, 150 << 20);
    }
}
