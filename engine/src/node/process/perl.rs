//! The `perl` image's interpreter, as far as the Kubernetes docs use it: `print bpi(N)` with
//! `-Mbignum=bpi` (π to N significant digits, the classic `pi` Job) and `print "text"`.

use super::script::{End, Line, Run};

/// Runs `perl ARGS...`: the script of `-e` (flags may be bundled, as in `-wle`).
pub fn run(args: &[String]) -> Run {
    let mut newline = false;
    let mut script = None;
    let mut iter = args.iter();
    while let Some(a) = iter.next() {
        let Some(flags) = a.strip_prefix('-').filter(|f| !f.starts_with('M')) else {
            continue;
        };
        newline |= flags.contains('l');
        if flags.ends_with('e') || flags.ends_with('E') {
            script = iter.next().cloned();
            break;
        }
    }
    let Some(script) = script else {
        // `perl` with no script and no stdin reads end-of-file and exits.
        return Run::new(vec![], End::Exit { at: 20, code: 0 });
    };
    let body = script.trim().trim_end_matches(';').trim();
    let Some(arg) = body.strip_prefix("print").map(str::trim) else {
        return Run::new(vec![], End::Exit { at: 30, code: 0 });
    };
    let computes = arg.starts_with("bpi(");
    let (text, took) = if let Some(n) = arg
        .strip_prefix("bpi(")
        .and_then(|r| r.strip_suffix(')'))
        .and_then(|n| n.trim().parse::<usize>().ok())
    {
        let n = n.clamp(1, 5_000);
        // Math::BigFloat's bpi is quadratic: about 7 s for 2000 digits.
        (pi_digits(n), 40 + (n * n) as i64 * 7 / 4_000)
    } else {
        let unquoted = arg
            .strip_prefix('"')
            .and_then(|a| a.strip_suffix('"'))
            .or_else(|| arg.strip_prefix('\'').and_then(|a| a.strip_suffix('\'')))
            .unwrap_or(arg);
        (unquoted.replace("\\n", "\n"), 30)
    };
    let mut lines: Vec<Line> = Vec::new();
    let mut text = text;
    if newline {
        text.push('\n');
    }
    // Output without a final newline still reaches the log as a line.
    for l in text.strip_suffix('\n').unwrap_or(&text).split('\n') {
        lines.push(Line {
            at: took,
            text: l.to_string(),
            stderr: false,
        });
    }
    let mut run = Run::new(lines, End::Exit { at: took, code: 0 });
    // Computing π keeps one core busy until it prints.
    run.busy = computes.then(|| super::script::spinning(0));
    run
}

const BASE: u64 = 1_000_000_000;

/// `a += sign * b` on fixed-point numbers (limb 0 is the integer part).
fn add(a: &mut [u64], b: &[u64], negative: bool) {
    let mut carry = 0i64;
    for i in (0..a.len()).rev() {
        let v = a[i] as i64
            + if negative {
                -(b[i] as i64)
            } else {
                b[i] as i64
            }
            + carry;
        carry = v.div_euclid(BASE as i64);
        a[i] = v.rem_euclid(BASE as i64) as u64;
    }
}

fn div_small(a: &mut [u64], d: u64) {
    let mut rem = 0u64;
    for limb in a.iter_mut() {
        let cur = rem * BASE + *limb;
        *limb = cur / d;
        rem = cur % d;
    }
}

/// `mult * atan(1/x)` by its series.
fn atan_inv(x: u64, mult: u64, limbs: usize) -> Vec<u64> {
    let mut sum = vec![0u64; limbs];
    let mut power = vec![0u64; limbs];
    power[0] = mult;
    div_small(&mut power, x);
    let mut k = 0u64;
    loop {
        let mut term = power.clone();
        div_small(&mut term, 2 * k + 1);
        if term.iter().all(|l| *l == 0) {
            break;
        }
        add(&mut sum, &term, k % 2 == 1);
        div_small(&mut power, x * x);
        k += 1;
    }
    sum
}

/// π to `n` significant digits, rounded (`3.14` for 3).
pub fn pi_digits(n: usize) -> String {
    let limbs = n / 9 + 3;
    let mut pi = atan_inv(5, 16, limbs);
    add(&mut pi, &atan_inv(239, 4, limbs), true);
    let mut digits: Vec<u8> = pi[0].to_string().bytes().map(|b| b - b'0').collect();
    for limb in &pi[1..] {
        digits.extend(format!("{limb:09}").bytes().map(|b| b - b'0'));
    }
    // Round at n significant digits (the integer part is the single digit 3).
    let round_up = digits.get(n).is_some_and(|d| *d >= 5);
    digits.truncate(n);
    if round_up {
        for d in digits.iter_mut().rev() {
            if *d == 9 {
                *d = 0;
            } else {
                *d += 1;
                break;
            }
        }
    }
    let mut s = String::with_capacity(n + 1);
    for (i, d) in digits.iter().enumerate() {
        if i == 1 {
            s.push('.');
        }
        s.push((b'0' + d) as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pi_to_n_digits() {
        assert_eq!(pi_digits(10), "3.141592654");
        assert_eq!(pi_digits(3), "3.14");
        let long = pi_digits(2000);
        assert_eq!(long.len(), 2001);
        assert!(long.starts_with("3.14159265358979323846264338327950288419716939937510"));
        // The 1000th decimal region ("...216420199" at 990-999, then "8930381964").
        assert!(
            long.contains("4201995611212902196086403441815981362977477130996051870721134999999")
        );
    }

    #[test]
    fn runs_the_pi_job() {
        let args: Vec<String> = ["-Mbignum=bpi", "-wle", "print bpi(5)"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let run = run(&args);
        assert_eq!(run.lines[0].text, "3.1416");
    }
}
