//! The small read-only filesystem a container shows to `cat` and `ls`: distribution files,
//! what kubelet writes (/etc/hosts, /etc/resolv.conf, /etc/hostname), the service-account
//! token mount, and nginx's welcome page.

use super::{image_name, Container, Flavor};

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
fn normalise(path: &str) -> String {
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

/// A file's contents.
pub fn read(c: &Container, path: &str) -> Option<String> {
    let path = normalise(path);
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
    let prefix = if path == "/" {
        "/".to_string()
    } else {
        format!("{path}/")
    };
    let mut found = path == "/";
    for (p, _) in files(c) {
        if let Some(rest) = p.strip_prefix(&prefix) {
            found = true;
            let first = rest.split('/').next().unwrap_or_default().to_string();
            if !names.contains(&first) {
                names.push(first);
            }
        }
    }
    if path == "/var/run/secrets/kubernetes.io/serviceaccount" {
        // The projected volume's entries are symlinks into a timestamped directory.
        names = vec!["ca.crt".into(), "namespace".into(), "token".into()];
    }
    names.sort();
    found.then_some(names)
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
