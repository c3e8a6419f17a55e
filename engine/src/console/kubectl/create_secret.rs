//! `kubectl create secret generic|tls|docker-registry NAME` (kubectl's
//! `pkg/cmd/create/create_secret*.go`): data from the learner's files and literals, the
//! `.dockerconfigjson` kubectl builds, `--type`, `--append-hash` and the dry runs.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::ByteString;
use sha2::{Digest, Sha256};

use super::create_configmap::one_name;
use super::data_sources;
use super::flags::{self, Flag, Parsed};
use super::generate;
use crate::api::object::Object;
use crate::cluster::Cluster;
use crate::output::Output;

/// `--dry-run` may stand alone (deprecated: a client dry run).
const DRY_RUN: Flag = flags::optional("dry-run", None, "unchanged");

pub(super) const GENERIC_FLAGS: &[Flag] = &[
    flags::value("from-literal", None),
    flags::value("from-file", None),
    flags::value("from-env-file", None),
    flags::value("type", None),
    flags::boolean("append-hash", None),
    DRY_RUN,
    flags::value("output", Some('o')),
];

pub(super) const TLS_FLAGS: &[Flag] = &[
    flags::value("cert", None),
    flags::value("key", None),
    flags::boolean("append-hash", None),
    DRY_RUN,
    flags::value("output", Some('o')),
];

pub(super) const DOCKER_FLAGS: &[Flag] = &[
    flags::value("docker-username", None),
    flags::value("docker-password", None),
    flags::value("docker-email", None),
    flags::value("docker-server", None),
    flags::value("from-file", None),
    flags::boolean("append-hash", None),
    DRY_RUN,
    flags::value("output", Some('o')),
];

/// Every flag of the three subcommands (for completion after `create secret`).
pub(super) const ALL_FLAGS: &[Flag] = &[
    flags::value("from-literal", None),
    flags::value("from-file", None),
    flags::value("from-env-file", None),
    flags::value("type", None),
    flags::value("cert", None),
    flags::value("key", None),
    flags::value("docker-username", None),
    flags::value("docker-password", None),
    flags::value("docker-email", None),
    flags::value("docker-server", None),
    flags::boolean("append-hash", None),
    DRY_RUN,
    flags::value("output", Some('o')),
];

/// The subcommands, as `kubectl create secret` offers them.
pub(crate) const SUBCOMMANDS: &[&str] = &["docker-registry", "generic", "tls"];

/// The registry `--docker-server` names by default.
const DEFAULT_SERVER: &str = "https://index.docker.io/v1/";

/// Runs `kubectl create secret ...` (args after `secret`).
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let help = args.iter().any(|a| a == "-h" || a == "--help");
    let (sub, rest) = match args.split_first() {
        Some((sub, rest)) if !sub.starts_with('-') => (sub.as_str(), rest),
        _ if help => return text(HELP),
        // No subcommand: cobra prints the help to stderr and exits 1.
        _ => return Output::failure(wrap(HELP)),
    };
    let kind = match sub {
        "generic" | "tls" | "docker-registry" if help => {
            return text(match sub {
                "generic" => GENERIC_HELP,
                "tls" => TLS_HELP,
                _ => DOCKER_HELP,
            })
        }
        "generic" | "tls" | "docker-registry" => sub,
        other => {
            return super::error(format!(
                "unknown command \"{other}\" for \"kubectl create secret\"\nSee 'kubectl create secret -h' for help and examples"
            ))
        }
    };
    let path = format!("create secret {kind}");
    let table = match kind {
        "generic" => GENERIC_FLAGS,
        "tls" => TLS_FLAGS,
        _ => DOCKER_FLAGS,
    };
    let parsed = match flags::parse(&path, rest, table) {
        Ok(p) => p,
        Err(e) => return super::error(e),
    };
    let name = match one_name(&parsed, &path) {
        Ok(n) => n,
        Err(o) => return o,
    };
    let mut warning = None;
    if parsed.value("dry-run") == Some("unchanged") {
        warning = Some(klog_warning(
            cluster,
            "--dry-run is deprecated and can be replaced with --dry-run=client.",
        ));
    }
    if let Err(e) = generate::printing(&parsed) {
        return super::error(e);
    }
    let built = match kind {
        "generic" => generic(cluster, &parsed),
        "tls" => tls(cluster, &parsed),
        _ => docker_registry(cluster, &parsed),
    };
    let (data, type_) = match built {
        Ok(b) => b,
        Err(e) => return with_warning(warning, super::error(e)),
    };
    let name = if parsed.bool("append-hash") {
        format!("{name}-{}", secret_hash(&name, type_.as_deref(), &data))
    } else {
        name
    };
    let secret = Secret {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(super::namespace(cluster, &parsed)),
            ..Default::default()
        },
        data: (!data.is_empty())
            .then(|| data.into_iter().map(|(k, v)| (k, ByteString(v))).collect()),
        type_,
        ..Default::default()
    };
    let out = generate::finish_wrapped(
        cluster,
        &parsed,
        Object::Secret(Box::new(secret)),
        "created",
        "failed to create secret ",
    );
    with_warning(warning, out)
}

fn text(s: &str) -> Output {
    let mut o = Output::default();
    o.out(wrap(s));
    o
}

fn with_warning(warning: Option<String>, out: Output) -> Output {
    match warning {
        Some(w) => {
            let mut o = Output::default();
            o.err(w);
            o.extend(out);
            o
        }
        None => out,
    }
}

/// A warning as kubectl's klog prints it to stderr (`W1204 09:10:00.000000   48213
/// helpers.go:731] ...`, the line of kubectl 1.34's `GetDryRunStrategy`).
fn klog_warning(cluster: &Cluster, message: &str) -> String {
    let t = cluster.world.clock.now_time().0;
    let stamp = t.strftime("%m%d %H:%M:%S%.6f");
    let pid = 1000 + cluster.world.side_rng("kubectl-pid").next_u64() % 60_000;
    format!("W{stamp} {pid:>7} helpers.go:731] {message}")
}

/// Keys and values added one by one with kubectl's Secret checks.
struct Data {
    map: BTreeMap<String, Vec<u8>>,
}

impl Data {
    fn add(&mut self, key: &str, value: Vec<u8>) -> Result<(), String> {
        let causes = crate::api::object::config_key_causes(key);
        if !causes.is_empty() {
            return Err(format!(
                "{key:?} is not valid key name for a Secret {}",
                causes.join(";")
            ));
        }
        if self.map.contains_key(key) {
            return Err(format!(
                "cannot add key {key}, another key by that name already exists"
            ));
        }
        self.map.insert(key.to_string(), value);
        Ok(())
    }
}

type Built = (BTreeMap<String, Vec<u8>>, Option<String>);

/// `generic`: literals, files, then env files; `--type` as given.
fn generic(cluster: &Cluster, parsed: &Parsed) -> Result<Built, String> {
    data_sources::check_combination(parsed)?;
    let files = &cluster.console.files;
    let mut data = Data {
        map: BTreeMap::new(),
    };
    let mut add = |k: &str, v: String| data.add(k, v.into_bytes());
    data_sources::from_literals(parsed.values("from-literal"), false, &mut add)?;
    data_sources::from_files(files, parsed.values("from-file"), &mut add)?;
    data_sources::from_env_files(files, parsed.values("from-env-file"), "secret", &mut add)?;
    let type_ = parsed
        .value("type")
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    Ok((data.map, type_))
}

/// `tls`: `tls.crt` and `tls.key` from the two files, which must hold PEM blocks.
fn tls(cluster: &Cluster, parsed: &Parsed) -> Result<Built, String> {
    let cert_path = parsed.value("cert").unwrap_or_default();
    let key_path = parsed.value("key").unwrap_or_default();
    if cert_path.is_empty() || key_path.is_empty() {
        return Err("key and cert must be specified".into());
    }
    let files = &cluster.console.files;
    let read = |path: &str| {
        files.read(path).map(str::to_string).ok_or_else(|| {
            let why = if files.is_dir(path) {
                "is a directory"
            } else {
                "no such file or directory"
            };
            let op = if files.is_dir(path) { "read" } else { "open" };
            format!("Cannot read file {path}, {op} {path}: {why}")
        })
    };
    let cert = read(cert_path)?;
    let key = read(key_path)?;
    check_key_pair(&cert, &key)?;
    let mut map = BTreeMap::new();
    map.insert("tls.crt".to_string(), cert.into_bytes());
    map.insert("tls.key".to_string(), key.into_bytes());
    Ok((map, Some("kubernetes.io/tls".into())))
}

/// The PEM checks of Go's `tls.X509KeyPair`, as far as Kubeplay can make them (no
/// cryptography: the blocks' types and base64, not whether the key matches the certificate).
fn check_key_pair(cert: &str, key: &str) -> Result<(), String> {
    let cert_blocks = pem_blocks(cert);
    if !cert_blocks.iter().any(|t| t == "CERTIFICATE") {
        return Err(if cert_blocks.is_empty() {
            "tls: failed to find any PEM data in certificate input".into()
        } else {
            format!(
                "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks of the following types: [{}]",
                cert_blocks.join(" ")
            )
        });
    }
    let key_blocks = pem_blocks(key);
    let is_key = |t: &String| t == "PRIVATE KEY" || t.ends_with(" PRIVATE KEY");
    if !key_blocks.iter().any(is_key) {
        return Err(match key_blocks.first() {
            None => "tls: failed to find any PEM data in key input".into(),
            Some(_) if key_blocks.iter().any(|t| t == "CERTIFICATE") => {
                "tls: found a certificate rather than a key in the PEM for the private key".into()
            }
            Some(_) => format!(
                "tls: failed to find \"PRIVATE KEY\" PEM block in key input after skipping PEM blocks of the following types: [{}]",
                key_blocks.join(" ")
            ),
        });
    }
    Ok(())
}

/// The types of the well-formed PEM blocks in `text` (`pem.Decode`: BEGIN/END lines that
/// match, base64 between them).
fn pem_blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(kind) = line
            .trim_end()
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let end = format!("-----END {kind}-----");
        let mut body = String::new();
        let mut closed = false;
        for l in lines.by_ref() {
            if l.trim_end() == end {
                closed = true;
                break;
            }
            if !l.contains(':') {
                body.push_str(l.trim());
            }
        }
        if closed && crate::api::base64::decode(&body).is_ok() {
            out.push(kind.to_string());
        }
    }
    out
}

/// `docker-registry`: a `.dockerconfigjson` from the flags, or the files given.
fn docker_registry(cluster: &Cluster, parsed: &Parsed) -> Result<Built, String> {
    let user = parsed.value("docker-username").unwrap_or_default();
    let password = parsed.value("docker-password").unwrap_or_default();
    let email = parsed.value("docker-email").unwrap_or_default();
    let server = parsed.value("docker-server").unwrap_or(DEFAULT_SERVER);
    let sources: Vec<String> = parsed
        .values("from-file")
        .iter()
        .map(|s| {
            if s.contains('=') {
                s.clone()
            } else {
                format!(".dockerconfigjson={s}")
            }
        })
        .collect();
    if sources.is_empty() && (user.is_empty() || password.is_empty() || server.is_empty()) {
        return Err("either --from-file or the combination of --docker-username, --docker-password and --docker-server is required".into());
    }
    let mut data = Data {
        map: BTreeMap::new(),
    };
    if sources.is_empty() {
        let json = docker_config_json(user, password, email, server);
        data.add(".dockerconfigjson", json.into_bytes())?;
    } else {
        let mut add = |k: &str, v: String| data.add(k, v.into_bytes());
        data_sources::from_files(&cluster.console.files, &sources, &mut add)?;
    }
    Ok((data.map, Some("kubernetes.io/dockerconfigjson".into())))
}

/// `handleDockerCfgJSONContent`: `{"auths":{SERVER:{"username","password","email","auth"}}}`
/// as Go's `json.Marshal` writes it (struct field order, `email` left out when empty).
pub(crate) fn docker_config_json(user: &str, password: &str, email: &str, server: &str) -> String {
    let auth = crate::api::base64::encode(format!("{user}:{password}").as_bytes());
    let mut fields = Vec::new();
    for (k, v) in [
        ("username", user),
        ("password", password),
        ("email", email),
        ("auth", auth.as_str()),
    ] {
        if !v.is_empty() {
            fields.push(format!("\"{k}\":{}", go_json(v)));
        }
    }
    format!(
        "{{\"auths\":{{{}:{{{}}}}}}}",
        go_json(server),
        fields.join(",")
    )
}

/// A JSON string as Go's `encoding/json` writes it (HTML characters escaped).
fn go_json(s: &str) -> String {
    crate::printers::go_value::json_string(s)
}

/// kubectl's `hash.SecretHash`: the first ten hex digits of the SHA-256 of
/// `{"data":…,"kind":"Secret","name":…,"type":…}`, vowel-like digits mapped to consonants.
fn secret_hash(name: &str, type_: Option<&str>, data: &BTreeMap<String, Vec<u8>>) -> String {
    let data: Vec<String> = data
        .iter()
        .map(|(k, v)| format!("{}:\"{}\"", go_json(k), crate::api::base64::encode(v)))
        .collect();
    let encoded = format!(
        "{{\"data\":{{{}}},\"kind\":\"Secret\",\"name\":{},\"type\":{}}}",
        data.join(","),
        go_json(name),
        go_json(type_.unwrap_or_default())
    );
    let digest = Sha256::digest(encoded.as_bytes());
    digest
        .iter()
        .flat_map(|b| [b >> 4, b & 0xf])
        .take(10)
        .map(|n| match n {
            0 => 'g',
            1 => 'h',
            3 => 'k',
            0xa => 'm',
            0xe => 't',
            n => char::from_digit(u32::from(n), 16).unwrap_or('0'),
        })
        .collect()
}

const HELP: &str = "\
Create a secret with specified type.

 A docker-registry type secret is for accessing a container registry.

 A generic type secret indicate an Opaque secret type.

 A tls type secret holds TLS certificate and its associated key.

Available Commands:
  docker-registry   Create a secret for use with a Docker registry
  generic           Create a secret from a local file, directory, or literal value
  tls               Create a TLS secret

Usage:
  kubectl create secret (docker-registry | generic | tls) [options]

Use \"kubectl create secret <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).";

const GENERIC_HELP: &str = "\
Create a secret based on a file, directory, or specified literal value.

 A single secret may package one or more key/value pairs.

 When creating a secret based on a file, the key will default to the basename of the file, and the value will default to the file content. If the basename is an invalid key or you wish to chose your own, you may specify an alternate key.

 When creating a secret based on a directory, each file whose basename is a valid key in the directory will be packaged into the secret. Any directory entries except regular files are ignored (e.g. subdirectories, symlinks, devices, pipes, etc).

Examples:
  # Create a new secret named my-secret with keys for each file in folder bar
  kubectl create secret generic my-secret --from-file=path/to/bar
  \n  # Create a new secret named my-secret with specified keys instead of names on disk
  kubectl create secret generic my-secret --from-file=ssh-privatekey=path/to/id_rsa --from-file=ssh-publickey=path/to/id_rsa.pub
  \n  # Create a new secret named my-secret with key1=supersecret and key2=topsecret
  kubectl create secret generic my-secret --from-literal=key1=supersecret --from-literal=key2=topsecret
  \n  # Create a new secret named my-secret using a combination of a file and a literal
  kubectl create secret generic my-secret --from-file=ssh-privatekey=path/to/id_rsa --from-literal=passphrase=topsecret
  \n  # Create a new secret named my-secret from env files
  kubectl create secret generic my-secret --from-env-file=path/to/foo.env --from-env-file=path/to/bar.env

Usage:
  kubectl create secret generic NAME [--type=string] [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none] [options]

Use \"kubectl options\" for a list of global command-line options (applies to all commands).";

const TLS_HELP: &str = "\
Create a TLS secret from the given public/private key pair.

 The public/private key pair must exist beforehand. The public key certificate must be .PEM encoded and match the given private key.

Examples:
  # Create a new TLS secret named tls-secret with the given key pair
  kubectl create secret tls tls-secret --cert=path/to/tls.crt --key=path/to/tls.key

Usage:
  kubectl create secret tls NAME --cert=path/to/cert/file --key=path/to/key/file [--dry-run=server|client|none] [options]

Use \"kubectl options\" for a list of global command-line options (applies to all commands).";

/// Its long description renders its tab-indented lines as markdown code blocks (8 spaces).
const DOCKER_HELP: &str = "\
Create a new secret for use with Docker registries.
        \n        Dockercfg secrets are used to authenticate against Docker registries.
        \n        When using the Docker command line to push images, you can authenticate to a given registry by running:
        '$ docker login DOCKER_REGISTRY_SERVER --username=DOCKER_USER --password=DOCKER_PASSWORD --email=DOCKER_EMAIL'.
        \n That produces a ~/.dockercfg file that is used by subsequent 'docker push' and 'docker pull' commands to authenticate to the registry. The email address is optional.

        When creating applications, you may have a Docker registry that requires authentication.  In order for the
        nodes to pull images on your behalf, they must have the credentials.  You can provide this information
        by creating a dockercfg secret and attaching it to your service account.

Examples:
  # If you do not already have a .dockercfg file, create a dockercfg secret directly
  kubectl create secret docker-registry my-secret --docker-server=DOCKER_REGISTRY_SERVER --docker-username=DOCKER_USER --docker-password=DOCKER_PASSWORD --docker-email=DOCKER_EMAIL
  \n  # Create a new secret named my-secret from ~/.docker/config.json
  kubectl create secret docker-registry my-secret --from-file=path/to/.docker/config.json

Usage:
  kubectl create secret docker-registry NAME --docker-username=user --docker-password=password --docker-email=email [--docker-server=string] [--from-file=[key=]source] [--dry-run=server|client|none] [options]

Use \"kubectl options\" for a list of global command-line options (applies to all commands).";

/// kubectl's help writer on a terminal at least 120 columns wide (`NewResponsiveWriter`):
/// `go-wordwrap`'s `WrapString` at 120 — a line breaks at the space before the word that
/// would pass the limit.
fn wrap(text: &str) -> String {
    const LIMIT: usize = 120;
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut current = 0;
        let mut rest = line;
        while !rest.is_empty() {
            let spaces = rest.len() - rest.trim_start_matches(' ').len();
            let after = &rest[spaces..];
            let word_len = after.find(' ').unwrap_or(after.len());
            let word = &after[..word_len];
            let (w, sp) = (word.chars().count(), spaces);
            if current > 0 && word_len > 0 && current + sp + w > LIMIT && w < LIMIT {
                out.push('\n');
                current = 0;
            } else {
                out.push_str(&rest[..spaces]);
                current += sp;
            }
            out.push_str(word);
            current += w;
            rest = &after[word_len..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_config_json_as_kubectl_marshals_it() {
        assert_eq!(
            docker_config_json("ciw0707", "p<&>", "", DEFAULT_SERVER),
            r#"{"auths":{"https://index.docker.io/v1/":{"username":"ciw0707","password":"p\u003c\u0026\u003e","auth":"Y2l3MDcwNzpwPCY+"}}}"#
        );
        assert!(docker_config_json("u", "p", "e@x", "r.io").contains(r#""email":"e@x","auth""#));
    }

    #[test]
    fn hash_matches_kubectl_vectors() {
        let data = |pairs: &[(&str, &str)]| -> BTreeMap<String, Vec<u8>> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect()
        };
        assert_eq!(secret_hash("", Some("my-type"), &data(&[])), "t75bgf6ctb");
        assert_eq!(
            secret_hash("", Some("my-type"), &data(&[("one", "")])),
            "74bd68bm66"
        );
        assert_eq!(
            secret_hash(
                "",
                Some("my-type"),
                &data(&[("two", "2"), ("one", ""), ("three", "3")])
            ),
            "dgcb6h9tmk"
        );
    }

    #[test]
    fn hash_maps_vowel_like_digits() {
        let mut data = BTreeMap::new();
        data.insert("a".to_string(), b"1".to_vec());
        let h = secret_hash("s", None, &data);
        assert_eq!(h.len(), 10);
        assert!(h.chars().all(|c| !"013ae".contains(c)));
    }

    #[test]
    fn help_wraps_at_120_columns() {
        let help = wrap(GENERIC_HELP);
        assert!(help.lines().all(|l| l.chars().count() <= 120));
        assert!(help.contains(
            " When creating a secret based on a file, the key will default to the basename of the file, and the value will default to\nthe file content."
        ));
        assert!(
            help.contains("[--from-literal=key1=value1]\n[--dry-run=server|client|none] [options]")
        );
        assert_eq!(wrap("  \nab"), "  \nab");
    }

    #[test]
    fn pem_checks() {
        let cert = "-----BEGIN CERTIFICATE-----\nTUlJQg==\n-----END CERTIFICATE-----\n";
        let key = "-----BEGIN PRIVATE KEY-----\nTUlJRQ==\n-----END PRIVATE KEY-----\n";
        assert!(check_key_pair(cert, key).is_ok());
        assert_eq!(
            check_key_pair("junk", key).unwrap_err(),
            "tls: failed to find any PEM data in certificate input"
        );
        assert_eq!(
            check_key_pair(cert, cert).unwrap_err(),
            "tls: found a certificate rather than a key in the PEM for the private key"
        );
        assert_eq!(
            check_key_pair(cert, "").unwrap_err(),
            "tls: failed to find any PEM data in key input"
        );
    }
}
