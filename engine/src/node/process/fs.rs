//! The small filesystem a container shows to `cat` and `ls`: the image's files (distribution
//! files, nginx's welcome page), what kubelet writes (/etc/hosts, /etc/resolv.conf,
//! /etc/hostname), the service-account token mount, and on top of them the container's
//! writable layer (files its hooks and `kubectl exec` wrote).

use std::collections::BTreeMap;

use super::{image_name, Container, Flavor};

/// Largest file a container may write; a write past it fails as a full disk would.
pub const FILE_LIMIT: usize = 1 << 20;

/// Top-level directories of every image.
const ROOT: &[&str] = &[
    "bin", "dev", "etc", "home", "lib", "media", "mnt", "opt", "proc", "root", "run", "sbin",
    "srv", "sys", "tmp", "usr", "var",
];

/// Every file of the container, as (path, contents).
fn files(c: &Container) -> Vec<(String, String)> {
    let os_release = match c.flavor() {
        Flavor::Busybox => None,
        Flavor::Alpine => Some("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.22.2\nPRETTY_NAME=\"Alpine Linux v3.22\"\nHOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"https://gitlab.alpinelinux.org/alpine/aports/-/issues\"\n"),
        Flavor::Ubuntu => Some("PRETTY_NAME=\"Ubuntu 24.04.3 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nVERSION=\"24.04.3 LTS (Noble Numbat)\"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\nHOME_URL=\"https://www.ubuntu.com/\"\nSUPPORT_URL=\"https://help.ubuntu.com/\"\nBUG_REPORT_URL=\"https://bugs.launchpad.net/ubuntu/\"\nPRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\nUBUNTU_CODENAME=noble\nLOGO=ubuntu-logo\n"),
        Flavor::Centos => Some("NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\nANSI_COLOR=\"0;31\"\nCPE_NAME=\"cpe:/o:centos:centos:7\"\nHOME_URL=\"https://www.centos.org/\"\nBUG_REPORT_URL=\"https://bugs.centos.org/\"\n\nCENTOS_MANTISBT_PROJECT=\"CentOS-7\"\nCENTOS_MANTISBT_PROJECT_VERSION=\"7\"\nREDHAT_SUPPORT_PRODUCT=\"centos\"\nREDHAT_SUPPORT_PRODUCT_VERSION=\"7\"\n\n"),
        Flavor::Debian => Some("PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"13\"\nVERSION=\"13 (trixie)\"\nVERSION_CODENAME=trixie\nDEBIAN_VERSION_FULL=13.1\nID=debian\nHOME_URL=\"https://www.debian.org/\"\nSUPPORT_URL=\"https://www.debian.org/support\"\nBUG_REPORT_URL=\"https://bugs.debian.org/\"\n"),
    };
    let mut v = vec![
        ("/etc/hostname".to_string(), format!("{}\n", c.pod)),
        (
            "/etc/hosts".to_string(),
            format!(
                "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{}\t{}\n",
                c.pod_ip, c.pod
            ),
        ),
        (
            "/etc/resolv.conf".to_string(),
            format!(
                "search {}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
                c.namespace
            ),
        ),
        (
            "/var/run/secrets/kubernetes.io/serviceaccount/namespace".to_string(),
            c.namespace.clone(),
        ),
        (
            "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt".to_string(),
            "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIKubeplayCAwDQYJKoZIhvcNAQELBQAwFTETMBEGA1UE\nAxMKa3ViZXJuZXRlczAeFw0yNjAxMDEwMDAwMDBaFw0zNjAxMDEwMDAwMDBaMBUx\nEzARBgNVBAMTCmt1YmVybmV0ZXMwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK\n-----END CERTIFICATE-----\n".to_string(),
        ),
        (
            "/var/run/secrets/kubernetes.io/serviceaccount/token".to_string(),
            "eyJhbGciOiJSUzI1NiIsImtpZCI6Imt1YmVwbGF5In0.eyJhdWQiOlsiaHR0cHM6Ly9rdWJlcm5ldGVzLmRlZmF1bHQuc3ZjLmNsdXN0ZXIubG9jYWwiXSwiaXNzIjoiaHR0cHM6Ly9rdWJlcm5ldGVzLmRlZmF1bHQuc3ZjLmNsdXN0ZXIubG9jYWwifQ.a3ViZXBsYXktc2ltdWxhdGVkLXNpZ25hdHVyZQ".to_string(),
        ),
    ];
    if let Some(os) = os_release {
        v.push(("/etc/os-release".to_string(), os.to_string()));
    }
    if c.flavor() == Flavor::Centos {
        v.push((
            "/etc/centos-release".into(),
            "CentOS Linux release 7.9.2009 (Core)\n".into(),
        ));
    }
    if image_name(&c.image).0 == "nginx" {
        v.push((
            "/usr/share/nginx/html/index.html".into(),
            NGINX_INDEX.into(),
        ));
        v.push(("/usr/share/nginx/html/50x.html".into(), NGINX_50X.into()));
    }
    v
}

/// Normalises `a/b/`, `./x` and relative paths (the working directory is `/`).
pub fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// A file's contents: the writable layer's copy, else the image's.
pub fn read(c: &Container, path: &str) -> Option<String> {
    let path = normalise(path);
    if let Some(t) = c.files.get(&path) {
        return Some(t.clone());
    }
    files(c)
        .into_iter()
        .find(|(p, _)| *p == path)
        .map(|(_, t)| t)
}

/// A directory's entries, sorted; `None` when it does not exist.
pub fn list(c: &Container, path: &str) -> Option<Vec<String>> {
    let path = normalise(path);
    let mut names: Vec<String> = if path == "/" {
        ROOT.iter().map(|s| s.to_string()).collect()
    } else {
        Vec::new()
    };
    // The image's top-level directories exist even when Kubeplay shows nothing in them.
    let mut found = path == "/" || ROOT.iter().any(|d| path == format!("/{d}"));
    let image = files(c).into_iter().map(|(p, _)| p);
    found |= add_entries(&mut names, &path, image);
    if path == "/var/run/secrets/kubernetes.io/serviceaccount" {
        // The projected volume's entries are symlinks into a timestamped directory.
        names = vec!["ca.crt".into(), "namespace".into(), "token".into()];
    }
    let found = with_written(found.then_some(names), &path, &c.files);
    found.map(|mut names| {
        names.sort();
        names
    })
}

/// Adds to `names` the entries of directory `dir` that `paths` (files) have under it;
/// whether any had.
fn add_entries(names: &mut Vec<String>, dir: &str, paths: impl Iterator<Item = String>) -> bool {
    let prefix = if dir == "/" {
        "/".to_string()
    } else {
        format!("{dir}/")
    };
    let mut found = false;
    for p in paths {
        if let Some(rest) = p.strip_prefix(&prefix) {
            found = true;
            let first = rest.split('/').next().unwrap_or_default().to_string();
            if !names.contains(&first) {
                names.push(first);
            }
        }
    }
    found
}

/// Directory `dir`'s entries (`listed`, as the layers below show them) with the files
/// `written` on top, unsorted; `dir` is normalised.
pub fn with_written(
    listed: Option<Vec<String>>,
    dir: &str,
    written: &BTreeMap<String, String>,
) -> Option<Vec<String>> {
    let mut names = listed.clone().unwrap_or_default();
    let found = add_entries(&mut names, dir, written.keys().cloned());
    (listed.is_some() || found).then_some(names)
}

const NGINX_INDEX: &str = "<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href=\"http://nginx.org/\">nginx.org</a>.<br/>
Commercial support is available at
<a href=\"http://nginx.com/\">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
";

const NGINX_50X: &str = "<!DOCTYPE html>
<html>
<head>
<title>Error</title>
</head>
<body>
<h1>An error occurred.</h1>
</body>
</html>
";

#[cfg(test)]
mod tests {
    use super::super::Container;
    use super::*;

    fn busybox() -> Container {
        Container::for_test("box", "busybox")
    }

    fn sh(c: &Container, script: &str) -> crate::node::process::Run {
        c.exec(&["sh".into(), "-c".into(), script.into()], 0, 60_000)
    }

    #[test]
    fn writes_go_to_the_writable_layer() {
        let mut c = busybox();
        let run = sh(
            &c,
            "echo hi > /tmp/x; echo more >> tmp/x; cat /tmp/x; ls /tmp",
        );
        let text: Vec<&str> = run.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(text, ["hi", "more", "x"]);
        assert_eq!(
            run.files.get("/tmp/x").map(String::as_str),
            Some("hi\nmore\n")
        );
        c.files = run.files;
        assert_eq!(read(&c, "/tmp/x").as_deref(), Some("hi\nmore\n"));
        assert_eq!(list(&c, "/tmp"), Some(vec!["x".to_string()]));
        assert_eq!(list(&c, "/mnt"), Some(vec![]));
    }

    #[test]
    fn writes_need_a_directory_and_stay_bounded() {
        let c = busybox();
        let run = sh(&c, "echo x > /nope/y; echo $?; echo x > /etc");
        let text: Vec<&str> = run.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            text,
            [
                "sh: can't create /nope/y: nonexistent directory",
                "1",
                "sh: can't create /etc: Is a directory"
            ]
        );
        let run = sh(
            &c,
            "echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa > /f; while true; do cat /f >> /f; done",
        );
        assert!(run.files.get("/f").is_some_and(|f| f.len() <= FILE_LIMIT));
        assert!(run
            .lines
            .iter()
            .any(|l| l.text == "sh: write error: No space left on device"));
    }
}
