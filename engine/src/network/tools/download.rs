//! Downloads from "the internet" on the learner's machine: `wget URL` and `curl -LO URL` of
//! a catalog URL (`network::internet`) save the bundled document, after the redirects its
//! host answers with (GitHub's release downloads). What they print follows GNU Wget 1.21's
//! and curl's formats; the addresses are fixed stand-ins for the real hosts'.

use super::Printed;
use crate::network::internet;

/// The address a public host resolves to (stand-ins; all of them answer on 443).
fn address(host: &str) -> &'static str {
    match host {
        "github.com" => "20.200.245.247",
        "release-assets.githubusercontent.com" | "raw.githubusercontent.com" => "185.199.108.133",
        _ => "140.82.121.4",
    }
}

/// The other addresses wget lists after the first one.
fn more_addresses(host: &str) -> &'static str {
    match host {
        "github.com" => "",
        _ => ", 185.199.109.133, 185.199.110.133, ...",
    }
}

fn host_of(url: &str) -> &str {
    url.split_once("://")
        .map_or(url, |(_, r)| r)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
}

/// The file a download of `url` is saved to by default (its path's last segment).
pub fn remote_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or_default();
    if last.is_empty() || !path.contains("://") || host_of(url) == last {
        "index.html".into()
    } else {
        last.into()
    }
}

/// GNU Wget's sizes: `4.2K` (one decimal under 10), `17K`, `1.2M`.
fn human(n: usize, decimals_under_ten: usize) -> String {
    let mut v = n as f64;
    let mut unit = "";
    for u in ["K", "M", "G"] {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    if unit.is_empty() {
        return n.to_string();
    }
    let decimals = if v < 10.0 {
        decimals_under_ten
    } else if v < 100.0 {
        decimals_under_ten.saturating_sub(1)
    } else {
        0
    };
    format!("{v:.decimals$}{unit}")
}

/// `wget URL` of a catalog URL on the learner's machine: what it prints, and the file it
/// saves as (name, contents); `None` if `url` is not in the catalog.
pub fn wget(
    url: &str,
    output: Option<&str>,
    quiet: bool,
    stamp: &dyn Fn(i64) -> String,
    now_ms: i64,
    p: &mut Printed,
) -> Option<(String, &'static str)> {
    let body = internet::lookup(url)?;
    let mut at = now_ms;
    let mut current = url.to_string();
    let mut connected: Option<String> = None;
    let hops = internet::redirects(url);
    let mut lines = Vec::new();
    for step in 0..=hops.len() {
        let host = host_of(&current).to_string();
        lines.push(format!("--{}--  {current}", stamp(at)));
        if connected.as_deref() == Some(host.as_str()) {
            lines.push(format!("Reusing existing connection to {host}:443."));
        } else {
            let ip = address(&host);
            lines.push(format!(
                "Resolving {host} ({host})... {ip}{}",
                more_addresses(&host)
            ));
            lines.push(format!(
                "Connecting to {host} ({host})|{ip}|:443... connected."
            ));
            connected = Some(host.clone());
        }
        match hops.get(step) {
            Some((status, location)) => {
                lines.push(format!(
                    "HTTP request sent, awaiting response... {status} Found"
                ));
                lines.push(format!("Location: {location} [following]"));
                current = location.clone();
                at += 300;
            }
            None => lines.push("HTTP request sent, awaiting response... 200 OK".into()),
        }
    }
    let file = output
        .map(str::to_string)
        .unwrap_or_else(|| remote_name(url));
    let to_stdout = file == "-";
    let len = body.len();
    let ctype = if hops.is_empty() {
        "text/plain"
    } else {
        "application/octet-stream"
    };
    let size = if len >= 1024 {
        format!("{len} ({})", human(len, 1))
    } else {
        len.to_string()
    };
    lines.push(format!("Length: {size} [{ctype}]"));
    lines.push(if to_stdout {
        "Saving to: ‘STDOUT’".into()
    } else {
        format!("Saving to: ‘{file}’")
    });
    lines.push(String::new());
    let shown = if to_stdout { "-" } else { file.as_str() };
    lines.push(format!(
        "{shown:<19} 100%[===================>] {:>7}  --.-KB/s    in 0s      ",
        human(len, 2)
    ));
    lines.push(String::new());
    let target = if to_stdout {
        "written to stdout".to_string()
    } else {
        format!("‘{file}’ saved")
    };
    lines.push(format!(
        "{} (41.2 MB/s) - {target} [{len}/{len}]",
        stamp(at)
    ));
    lines.push(String::new());
    if !quiet {
        for l in lines {
            p.err(l);
        }
    }
    if to_stdout {
        p.out_raw(body);
        return Some((String::new(), body));
    }
    Some((file, body))
}

/// `curl URL` of a catalog URL: the body after following redirects if `follow` (`-L`), or
/// the redirect's empty body; `None` if `url` is not in the catalog.
pub fn curl(url: &str, follow: bool) -> Option<&'static str> {
    let body = internet::lookup(url)?;
    Some(if follow || internet::redirects(url).is_empty() {
        body
    } else {
        ""
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wget_sizes_read_as_gnu_wget_prints_them() {
        assert_eq!(human(615, 2), "615");
        assert_eq!(human(4330, 1), "4.2K");
        assert_eq!(human(4330, 2), "4.23K");
        assert_eq!(human(17_654, 1), "17K");
        assert_eq!(human(17_654, 2), "17.2K");
        assert_eq!(
            remote_name("https://github.com/a/b/releases/latest/download/components.yaml"),
            "components.yaml"
        );
        assert_eq!(remote_name("https://github.com"), "index.html");
    }
}
