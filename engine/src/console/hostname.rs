//! `hostname` on the learner's machine (Debian's `hostname` 3.23, as Ubuntu ships it): the
//! name, `-s`/`-f`, the addresses (`-i`, and `-I` as Linux prints them: space-separated with
//! a trailing space), and its errors. The learner is not root (the prompt is `$`), so
//! setting the name is refused.

use crate::cluster::Cluster;
use crate::output::Output;

const USAGE: &str = "\
Usage: hostname [-b] {hostname|-F file}         set host name (from file)
       hostname [-a|-A|-d|-f|-i|-I|-s|-y]       display formatted name
       hostname                                 display host name

       {yp,nis,}domainname {nisdomain|-F file}  set NIS domain name (from file)
       {yp,nis,}domainname                      display NIS domain name

       dnsdomainname                            display dns domain name

       hostname -V|--version|-h|--help          print info and exit

Program name:
       {yp,nis,}domainname=hostname -y
       dnsdomainname=hostname -d

Program options:
    -a, --alias            alias names
    -A, --all-fqdns        all long host names (FQDNs)
    -b, --boot             set default hostname if none available
    -d, --domain           DNS domain name
    -f, --fqdn, --long     long host name (FQDN)
    -F, --file             read host name or NIS domain name from given file
    -i, --ip-address       addresses for the host name
    -I, --all-ip-addresses all addresses for the host
    -s, --short            short host name
    -y, --yp, --nis        NIS/YP domain name

Description:
   This command can get or set the host name or the NIS domain name. You can
   also get the DNS domain or the FQDN (fully qualified domain name).
   Unless you are using bind or NIS for host lookups you can change the
   FQDN (Fully Qualified Domain Name) and the DNS domain name (which is
   part of the FQDN) in the /etc/hosts file.";

/// What `hostname` was asked to show; the last option given wins, as in hostname 3.23.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Show {
    Name,
    Address,
    AllAddresses,
    Version,
    Help,
}

fn usage(first: String) -> Output {
    let mut o = Output::failure(format!("{first}{USAGE}"));
    o.exit_code = 255;
    o
}

/// Runs `hostname ARGS` on the learner's machine.
pub fn run(cluster: &Cluster, args: &[String]) -> Output {
    let mut show = Show::Name;
    let mut names = Vec::new();
    for a in args {
        let flags: Vec<char> = match a.strip_prefix("--") {
            Some(long) => match long {
                "short" | "fqdn" | "long" => vec!['s'],
                "ip-address" => vec!['i'],
                "all-ip-addresses" => vec!['I'],
                "version" => vec!['V'],
                "help" => vec!['h'],
                "alias" | "all-fqdns" | "boot" | "domain" | "file" | "yp" | "nis" => {
                    return not_here(a)
                }
                _ => return usage(format!("hostname: unrecognized option '{a}'\n")),
            },
            None if a.starts_with('-') && a.len() > 1 => a.chars().skip(1).collect(),
            None => {
                names.push(a);
                continue;
            }
        };
        for c in flags {
            show = match c {
                's' | 'f' => Show::Name,
                'i' => Show::Address,
                'I' => Show::AllAddresses,
                'V' => Show::Version,
                'h' => Show::Help,
                'a' | 'A' | 'b' | 'd' | 'F' | 'y' => return not_here(&format!("-{c}")),
                other => return usage(format!("hostname: invalid option -- '{other}'\n")),
            };
        }
    }
    match names.len() {
        0 => {}
        1 => return Output::failure("hostname: you must be root to change the host name"),
        _ => return usage(String::new()),
    }
    let host = cluster.host_identity();
    let mut o = Output::default();
    match show {
        Show::Name => o.out(host.name),
        Show::Address => o.out(host.hosts_address),
        Show::AllAddresses => o.out(
            host.addresses
                .iter()
                .map(|a| format!("{a} "))
                .collect::<String>(),
        ),
        Show::Version => o.out("hostname 3.23"),
        // hostname 3.23 prints its help on stdout and exits 255.
        Show::Help => {
            o.out(USAGE);
            o.exit_code = 255;
        }
    }
    o
}

/// Options of the real tool this console does not model.
fn not_here(option: &str) -> Output {
    Output::failure(format!("hostname: {option}: not supported here"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{ClusterConfig, ClusterProfile};

    fn hostname(cluster: &Cluster, args: &[&str]) -> Output {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        run(cluster, &args)
    }

    #[test]
    fn kubeadm_console_is_the_control_plane_node() {
        let cluster = Cluster::new();
        assert_eq!(hostname(&cluster, &[]).text(), "control-plane\n");
        assert_eq!(hostname(&cluster, &["-s"]).text(), "control-plane\n");
        assert_eq!(
            hostname(&cluster, &["-I"]).text(),
            "192.168.1.10 10.244.0.0 10.244.0.1 \n"
        );
        assert_eq!(hostname(&cluster, &["-I", "-s"]).text(), "control-plane\n");
        assert_eq!(hostname(&cluster, &["-i"]).text(), "192.168.1.10\n");
    }

    #[test]
    fn minikube_console_is_the_laptop() {
        let cluster = Cluster::with_config(ClusterConfig {
            seed: 0,
            profile: ClusterProfile::single_node(),
        });
        assert_eq!(hostname(&cluster, &[]).text(), "laptop\n");
        assert_eq!(
            hostname(&cluster, &["--all-ip-addresses"]).text(),
            "192.168.0.23 172.17.0.1 192.168.49.1 \n"
        );
        assert_eq!(hostname(&cluster, &["-i"]).text(), "127.0.1.1\n");
    }

    #[test]
    fn errors_as_hostname_3_23() {
        let cluster = Cluster::new();
        let bad = hostname(&cluster, &["-z"]);
        assert!(bad
            .text()
            .starts_with("hostname: invalid option -- 'z'\nUsage: hostname [-b]"));
        assert_eq!(bad.exit_code, 255);
        let set = hostname(&cluster, &["web"]);
        assert_eq!(
            set.text(),
            "hostname: you must be root to change the host name\n"
        );
        assert_eq!(set.exit_code, 1);
        assert_eq!(hostname(&cluster, &["a", "b"]).exit_code, 255);
    }
}
