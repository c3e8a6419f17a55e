//! Shell commands learners type around kubectl: `clear`, `help`, `sleep`, `echo`.

use crate::clock::SimDuration;
use crate::cluster::Cluster;
use crate::output::Output;

/// Runs a non-kubectl command.
pub fn run(cluster: &mut Cluster, program: &str, args: &[String]) -> Output {
    match program {
        "clear" => Output {
            clear: true,
            ..Default::default()
        },
        "help" => {
            let mut o = Output::default();
            o.out(HELP);
            o
        }
        "echo" => {
            let mut o = Output::default();
            o.out(args.join(" "));
            o
        }
        "sleep" => sleep(cluster, args),
        "true" => Output::default(),
        "false" => Output {
            exit_code: 1,
            ..Default::default()
        },
        _ => {
            let mut o = Output::failure(format!("bash: {program}: command not found"));
            o.exit_code = 127;
            o
        }
    }
}

const HELP: &str = "\
Kubeplay console: a simulated Kubernetes v1.34 cluster.

  kubectl ...      talk to the cluster (k is an alias), e.g. kubectl get nodes
  sleep N          let N seconds of cluster time pass (also 2m, 1h)
  echo TEXT        print TEXT
  clear            clear the screen
  help             this text";

/// `sleep N[s|m|h]`: advances simulated time.
fn sleep(cluster: &mut Cluster, args: &[String]) -> Output {
    let Some(arg) = args.first() else {
        let mut o =
            Output::failure("sleep: missing operand\nTry 'sleep --help' for more information.");
        o.exit_code = 1;
        return o;
    };
    match parse_sleep(arg) {
        Some(d) => {
            cluster.advance(d);
            Output::default()
        }
        None => Output::failure(format!(
            "sleep: invalid time interval '{arg}'\nTry 'sleep --help' for more information."
        )),
    }
}

/// Parses GNU sleep's `NUMBER[SUFFIX]`, capped at one day so a typo cannot stall a page.
fn parse_sleep(arg: &str) -> Option<SimDuration> {
    let (number, unit) = match arg.char_indices().last()? {
        (i, 's') => (&arg[..i], 1.0),
        (i, 'm') => (&arg[..i], 60.0),
        (i, 'h') => (&arg[..i], 3600.0),
        (i, 'd') => (&arg[..i], 86400.0),
        _ => (arg, 1.0),
    };
    let n: f64 = number.parse().ok()?;
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    let ms = (n * unit * 1000.0).min(86_400_000.0);
    Some(SimDuration::millis(ms as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_units() {
        assert_eq!(parse_sleep("5"), Some(SimDuration::seconds(5)));
        assert_eq!(parse_sleep("1.5s"), Some(SimDuration::millis(1500)));
        assert_eq!(parse_sleep("2m"), Some(SimDuration::seconds(120)));
        assert_eq!(parse_sleep("x"), None);
        assert_eq!(parse_sleep("-1"), None);
        assert_eq!(parse_sleep("NaN"), None);
        assert_eq!(parse_sleep("1e300"), Some(SimDuration::seconds(86400)));
    }
}
