//! `df` and `mount` in a container: its overlay root, the runtime's own mounts (`/dev`,
//! `/dev/shm`, the kubelet's `/etc/hosts` and token mounts) and its volumes, as GNU coreutils
//! or busybox print them.

use super::Shell;
use crate::storage::Backing;

/// A container's filesystem as `df` and `mount` list it.
struct Row {
    source: String,
    target: String,
    fstype: String,
    options: String,
    size: u64,
    used: u64,
}

use crate::node::volumes::{NODE_DEVICE, NODE_DISK};

/// How much of a node's disk the system takes (a fresh kubeadm VM).
const NODE_BASE_USED: u64 = 9_126_805_504;
/// tmpfs mounts' sizes: `/dev` and `/dev/shm` (64 MiB), the token's (the node's memory).
const DEV_SIZE: u64 = 64 << 20;
const TOKEN_TMPFS: u64 = 7_812_500 << 10;

impl Shell<'_> {
    /// Every mount of the container, in mount order.
    fn mount_rows(&self) -> Vec<Row> {
        let disk = |target: &str| Row {
            source: NODE_DEVICE.into(),
            target: target.into(),
            fstype: "ext4".into(),
            options: "rw,relatime".into(),
            size: NODE_DISK,
            used: NODE_BASE_USED,
        };
        let tmpfs = |source: &str, target: &str, size: u64, used: u64, options: &str| Row {
            source: source.into(),
            target: target.into(),
            fstype: "tmpfs".into(),
            options: options.into(),
            size,
            used,
        };
        let mut rows = vec![
            Row {
                source: "overlay".into(),
                target: "/".into(),
                fstype: "overlay".into(),
                options: "rw,relatime,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/1/fs,upperdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/2/fs,workdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/2/work".into(),
                size: NODE_DISK,
                used: NODE_BASE_USED + self.fs.root_used().div_ceil(4096) * 4096,
            },
            tmpfs("tmpfs", "/dev", DEV_SIZE, 0, "rw,nosuid,size=65536k,mode=755"),
        ];
        for m in self.fs.mounts() {
            let (size, used) = self.fs.usage(m);
            // Files take whole 4 KiB blocks.
            let used = used.div_ceil(4096) * 4096;
            // What else is on the disk: the node's system, an NFS server's other files.
            let base = match (m.fstype.as_str(), &m.backing) {
                ("tmpfs", _) => 0,
                (_, Backing::Nfs(_)) => size / 11,
                _ if m.source == NODE_DEVICE => NODE_BASE_USED,
                _ => 0,
            };
            rows.push(Row {
                source: m.source.clone(),
                target: m.path.clone(),
                fstype: m.fstype.clone(),
                options: mount_options(m),
                size,
                used: base.saturating_add(used),
            });
        }
        for f in [
            "/etc/hosts",
            "/dev/termination-log",
            "/etc/hostname",
            "/etc/resolv.conf",
        ] {
            rows.push(disk(f));
        }
        rows.push(tmpfs(
            "shm",
            "/dev/shm",
            DEV_SIZE,
            0,
            "rw,nosuid,nodev,noexec,relatime,size=65536k",
        ));
        rows.push(tmpfs(
            "tmpfs",
            "/run/secrets/kubernetes.io/serviceaccount",
            TOKEN_TMPFS,
            12 << 10,
            "ro,relatime,size=7812500k",
        ));
        rows
    }

    /// `df [-h] [PATH...]`.
    pub(super) fn df(&mut self, flags: &str, operands: &[String]) {
        let human = flags.contains('h');
        let mut rows = self.mount_rows();
        if self.gnu() {
            // GNU df shows each device once, at its shortest mount point; every tmpfs mount
            // is a device of its own.
            let device = |r: &Row| match r.fstype.as_str() {
                "tmpfs" => format!("tmpfs:{}", r.target),
                _ => r.source.clone(),
            };
            let mut kept: Vec<Row> = Vec::new();
            for r in rows {
                match kept.iter_mut().find(|k| device(k) == device(&r)) {
                    Some(k) if r.target.len() < k.target.len() => *k = r,
                    Some(_) => {}
                    None => kept.push(r),
                }
            }
            rows = kept;
        }
        if !operands.is_empty() {
            let mut picked = Vec::new();
            for op in operands {
                if self.fs.stat(op).is_err() {
                    let text = if self.gnu() {
                        format!("df: {op}: No such file or directory")
                    } else {
                        format!("df: {op}: can't find mount point")
                    };
                    self.fail(text, 1);
                    continue;
                }
                let path = crate::storage::normalise(op);
                let best = rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| {
                        r.target == "/"
                            || path == r.target
                            || path.starts_with(&format!("{}/", r.target))
                    })
                    .max_by_key(|(_, r)| r.target.len())
                    .map(|(i, _)| i);
                picked.extend(best);
            }
            let status = self.last;
            rows = rows
                .into_iter()
                .enumerate()
                .filter(|(i, _)| picked.contains(i))
                .map(|(_, r)| r)
                .collect();
            if rows.is_empty() {
                return;
            }
            self.print_df(&rows, human);
            self.last = status;
            return;
        }
        self.print_df(&rows, human);
    }

    fn print_df(&mut self, rows: &[Row], human: bool) {
        let cells: Vec<[String; 6]> = rows
            .iter()
            .map(|r| {
                let avail = r.size.saturating_sub(r.used);
                let pct = if r.size == 0 {
                    "-".to_string()
                } else {
                    // Use% rounds up, of used + available.
                    let total = r.used + avail;
                    format!("{}%", (r.used * 100).div_ceil(total.max(1)))
                };
                let n = |b: u64| {
                    if !human {
                        (b / 1024).to_string()
                    } else if self.gnu() {
                        gnu_human(b)
                    } else {
                        busybox_human(b)
                    }
                };
                [
                    r.source.clone(),
                    n(r.size),
                    n(r.used),
                    n(avail),
                    pct,
                    r.target.clone(),
                ]
            })
            .collect();
        let mut out = Vec::new();
        if self.gnu() {
            let head = [
                "Filesystem",
                if human { "Size" } else { "1K-blocks" },
                "Used",
                if human { "Avail" } else { "Available" },
                "Use%",
                "Mounted on",
            ];
            // coreutils' minimum widths: Filesystem 14, the numbers 5, Use% 4.
            let least = [14, 5, 5, 5, 4];
            let width = |i: usize| {
                cells
                    .iter()
                    .map(|c| c[i].len())
                    .chain([head[i].len(), least[i]])
                    .max()
                    .unwrap_or(0)
            };
            let w: Vec<usize> = (0..5).map(width).collect();
            let line = |c: [&str; 6]| {
                format!(
                    "{:<w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {}",
                    c[0],
                    c[1],
                    c[2],
                    c[3],
                    c[4],
                    c[5],
                    w0 = w[0],
                    w1 = w[1],
                    w2 = w[2],
                    w3 = w[3],
                    w4 = w[4]
                )
            };
            out.push(line(head));
            for c in &cells {
                out.push(line([&c[0], &c[1], &c[2], &c[3], &c[4], &c[5]]));
            }
        } else {
            let units = if human { "     Size" } else { "1K-blocks" };
            out.push(format!(
                "Filesystem           {units:<15}Used Available Use% Mounted on"
            ));
            for c in &cells {
                let mut row = if c[0].len() > 20 {
                    format!("{}\n{:20}", c[0], "")
                } else {
                    format!("{:<20}", c[0])
                };
                row.push_str(&format!(
                    " {:>9} {:>9} {:>9} {:>4} {}",
                    c[1], c[2], c[3], c[4], c[5]
                ));
                out.push(row);
            }
        }
        self.emit(out.join("\n"), false);
    }

    /// `mount`: every mount as `SOURCE on TARGET type TYPE (OPTIONS)`.
    pub(super) fn mount_table(&mut self) {
        let rows = self.mount_rows();
        let text: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{} on {} type {} ({})",
                    r.source, r.target, r.fstype, r.options
                )
            })
            .collect();
        self.emit(text.join("\n"), false);
    }
}

/// A volume's mount options as `/proc/mounts` shows them.
fn mount_options(m: &crate::node::volumes::Mount) -> String {
    let rw = if m.read_only { "ro" } else { "rw" };
    match m.fstype.as_str() {
        "nfs4" => {
            let server = m.source.split(':').next().unwrap_or_default();
            format!("{rw},relatime,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=0.0.0.0,local_lock=none,addr={server}")
        }
        "tmpfs" => format!("{rw},relatime"),
        _ => format!("{rw},relatime"),
    }
}

/// GNU `-h`: powers of 1024, rounded up, one decimal below 10 (`8.5G`, `98G`, `0`).
fn gnu_human(bytes: u64) -> String {
    if bytes < 1024 {
        return bytes.to_string();
    }
    let units = ['K', 'M', 'G', 'T', 'P', 'E'];
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 {
        let tenths = (value * 10.0).ceil() / 10.0;
        if tenths >= 10.0 {
            format!("{}{}", 10, units[unit])
        } else {
            format!("{tenths:.1}{}", units[unit])
        }
    } else {
        let whole = value.ceil();
        if whole >= 1024.0 && unit + 1 < units.len() {
            format!("1.0{}", units[unit + 1])
        } else {
            format!("{whole:.0}{}", units[unit])
        }
    }
}

/// busybox `-h`: powers of 1024 with one decimal (`97.9G`, `64.0M`), `0` for nothing.
fn busybox_human(bytes: u64) -> String {
    if bytes == 0 {
        return "0".into();
    }
    let units = ['K', 'M', 'G', 'T', 'P', 'E'];
    if bytes < 1024 {
        return bytes.to_string();
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1}{}", units[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(gnu_human(0), "0");
        assert_eq!(gnu_human(12 << 10), "12K");
        assert_eq!(gnu_human(64 << 20), "64M");
        assert_eq!(gnu_human(NODE_DISK), "100G");
        assert_eq!(gnu_human(NODE_BASE_USED), "8.5G");
        assert_eq!(busybox_human(64 << 20), "64.0M");
        assert_eq!(busybox_human(0), "0");
    }
}
