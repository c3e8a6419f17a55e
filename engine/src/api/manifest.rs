//! Reading manifests: YAML or JSON, one or many documents, into JSON values; strict field
//! validation by round-tripping through the typed `k8s-openapi` structs.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::{Yaml, YamlLoader};

use super::typed;
use crate::bounds;

/// One document of a manifest file.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The document as JSON.
    pub value: Value,
    /// 1-based line where the document starts in its file.
    pub line: usize,
}

/// Parses every document of `text`; empty documents are skipped, as kubectl does.
/// Errors read like kubectl's: `error converting YAML to JSON: yaml: line 5: ...`.
pub fn parse(text: &str) -> Result<Vec<Document>, String> {
    // go-yaml reads a byte order mark as the encoding, not as content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let docs = load(text)?;
    let starts = document_start_lines(text);
    let mut out = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let value = to_json(doc)?;
        if value.is_null() {
            continue;
        }
        out.push(Document {
            value,
            line: starts.get(i).copied().unwrap_or(1),
        });
    }
    Ok(out)
}

/// Most closing brackets one parse may re-indent (each costs a re-parse).
const MAX_BRACKET_FIXES: usize = 32;

/// Loads YAML documents. go-yaml (and so kubectl) accepts a flow collection's closing `]`
/// or `}` on its own line at the indentation of the key that opened it; yaml-rust2 follows
/// the spec and refuses it. Indentation means nothing inside a flow collection, so such a
/// line is indented to match the line before it and the text parsed again.
fn load(text: &str) -> Result<Vec<Yaml>, String> {
    check_budget(text).map_err(|r| r.to_string())?;
    let mut text = std::borrow::Cow::Borrowed(text);
    let mut fixes = 0;
    loop {
        match load_yaml11(&text) {
            Ok(docs) => return Ok(docs),
            Err(e) => {
                let line = e.marker().line();
                if fixes < MAX_BRACKET_FIXES && e.info() == "invalid indentation" {
                    if let Some(fixed) = reindent_closing_bracket(&text, line) {
                        text = std::borrow::Cow::Owned(fixed);
                        fixes += 1;
                        continue;
                    }
                }
                return Err(format!(
                    "error converting YAML to JSON: yaml: line {line}: {}",
                    go_yaml_words(e.info())
                ));
            }
        }
    }
}

/// go-yaml's words for a scanner error yaml-rust2 words differently (both name the line
/// where the scanner found it).
fn go_yaml_words(info: &str) -> &str {
    match info {
        // A key without its colon (`kind Pod`), noticed on the next line.
        "simple key expect ':'" => "could not find expected ':'",
        other => other,
    }
}

/// The loader with go-yaml's YAML 1.1 octal integers: a plain `0644` is 420 for kubectl
/// (`defaultMode: 0400`), where YAML 1.2 reads 644.
struct Yaml11 {
    loader: YamlLoader,
    documents: usize,
}

impl MarkedEventReceiver for Yaml11 {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let ev = match ev {
            Event::Scalar(v, TScalarStyle::Plain, anchor, None) if is_yaml11_octal(&v) => {
                let digits = v.get(1..).unwrap_or_default().replace('_', "");
                Event::Scalar(format!("0o{digits}"), TScalarStyle::Plain, anchor, None)
            }
            Event::DocumentEnd => {
                self.documents += 1;
                Event::DocumentEnd
            }
            ev => ev,
        };
        self.loader.on_event(ev, mark);
    }
}

/// `0[0-7_]+`: an octal integer in YAML 1.1.
fn is_yaml11_octal(v: &str) -> bool {
    v.len() > 1
        && v.starts_with('0')
        && v.bytes().all(|b| matches!(b, b'0'..=b'7' | b'_'))
        && v.bytes().any(|b| b != b'0' && b != b'_')
}

/// `YamlLoader::load_from_str` with [`Yaml11`]'s integers; the loader's own errors (which
/// leave documents out) come from the plain loader.
fn load_yaml11(text: &str) -> Result<Vec<Yaml>, yaml_rust2::ScanError> {
    let mut rx = Yaml11 {
        loader: YamlLoader::default(),
        documents: 0,
    };
    Parser::new_from_str(text).load(&mut rx, true)?;
    if rx.loader.documents().len() != rx.documents {
        return YamlLoader::load_from_str(text);
    }
    Ok(rx.loader.documents().to_vec())
}

/// Deepest nesting of collections a manifest may have ([`bounds::YAML`]).
pub const MAX_DEPTH: usize = bounds::YAML;

/// Why a YAML text is refused before it is loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// 1-based line, when go-yaml names one.
    pub line: Option<usize>,
    /// go-yaml's words, after `yaml: `.
    pub reason: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(
                f,
                "error converting YAML to JSON: yaml: line {line}: {}",
                self.reason
            ),
            None => write!(f, "error converting YAML to JSON: yaml: {}", self.reason),
        }
    }
}

/// Refuses `text` before any loader builds it, if its collections nest deeper than
/// [`MAX_DEPTH`] or a document's aliases expand past go-yaml's budget (the "billion laughs":
/// a few hundred bytes of nested aliases that would expand to billions of nodes). Parser
/// events are pulled one at a time (the event parser keeps its state on the heap) and an
/// anchor's size is counted, never copied. Syntax errors are left to the loader.
/// Every YAML route (manifests, the editor's lint, lessons) loads through this check.
pub fn check_budget(text: &str) -> Result<(), Refusal> {
    let mut parser = Parser::new_from_str(text);
    // Open collections: (anchor, nodes so far, expanded).
    let mut open: Vec<(usize, u64)> = Vec::new();
    let mut anchors: std::collections::HashMap<usize, u64> = Default::default();
    let mut budget = AliasBudget::default();
    loop {
        let (event, mark) = match parser.next_token() {
            Ok(next) => next,
            // The scanner counts flow levels in a byte and gives up past 255.
            Err(e) if e.info() == "recursion limit exceeded" => {
                return Err(too_deep(e.marker().line()))
            }
            Err(_) => return Ok(()),
        };
        let (anchor, nodes) = match event {
            Event::DocumentStart => {
                budget = AliasBudget::default();
                anchors.clear();
                continue;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if open.len() >= MAX_DEPTH {
                    return Err(too_deep(mark.line()));
                }
                budget.decode(1, 0)?;
                open.push((anchor, 1));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match open.pop() {
                Some(done) => done,
                None => continue,
            },
            Event::Scalar(_, _, anchor, _) => {
                budget.decode(1, 0)?;
                (anchor, 1)
            }
            Event::Alias(id) => {
                let nodes = anchors.get(&id).copied().unwrap_or(0);
                budget.decode(1, nodes)?;
                (0, nodes)
            }
            Event::StreamEnd => return Ok(()),
            _ => continue,
        };
        if anchor > 0 {
            anchors.insert(anchor, nodes);
        }
        if let Some((_, parent)) = open.last_mut() {
            *parent = parent.saturating_add(nodes);
        }
    }
}

fn too_deep(line: usize) -> Refusal {
    Refusal {
        line: Some(line),
        reason: format!("exceeded max depth of {MAX_DEPTH}"),
    }
}

/// go-yaml's (v2 and v3) guard against alias expansion: once more than 100 of more than 1000
/// decoded nodes came from aliases, their share may be at most 99% of a document up to
/// 400,000 nodes, falling smoothly to 10% at 4,000,000.
#[derive(Default)]
struct AliasBudget {
    decoded: u64,
    aliased: u64,
}

impl AliasBudget {
    /// Counts `own` nodes read from the text and `expanded` copied by an alias.
    fn decode(&mut self, own: u64, expanded: u64) -> Result<(), Refusal> {
        self.decoded = self.decoded.saturating_add(own).saturating_add(expanded);
        self.aliased = self.aliased.saturating_add(expanded);
        const LOW: u64 = 400_000;
        const HIGH: u64 = 4_000_000;
        let allowed = match self.decoded {
            d if d <= LOW => 0.99,
            d if d >= HIGH => 0.10,
            d => 0.99 - 0.89 * ((d - LOW) as f64 / (HIGH - LOW) as f64),
        };
        if self.aliased > 100
            && self.decoded > 1000
            && self.aliased as f64 / self.decoded as f64 > allowed
        {
            return Err(Refusal {
                line: None,
                reason: "document contains excessive aliasing".into(),
            });
        }
        Ok(())
    }
}

/// `text` with 1-based `line` indented like the previous non-blank line, if `line` starts
/// with a closing flow bracket and is indented less than that.
fn reindent_closing_bracket(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let target = lines.get(line.checked_sub(1)?)?;
    let trimmed = target.trim_start();
    if !(trimmed.starts_with(']') || trimmed.starts_with('}')) {
        return None;
    }
    let previous = lines[..line - 1]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())?;
    let want = previous.len() - previous.trim_start().len();
    let have = target.len() - trimmed.len();
    if want <= have {
        return None;
    }
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out[line - 1] = format!("{}{trimmed}", " ".repeat(want));
    Some(out.join("\n"))
}

/// Approximate first line of each document: after each `---` separator line.
fn document_start_lines(text: &str) -> Vec<usize> {
    let mut starts = vec![1];
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("---") && i > 0 {
            starts.push(i + 2);
        } else if line.starts_with("---") {
            starts[0] = 2;
        }
    }
    starts
}

/// Go's name of a YAML infinity or NaN (`.inf`, `-.Inf`, `.NAN`, …): `+Inf`, `-Inf`, `NaN`.
fn yaml_special_float(s: &str) -> Option<&'static str> {
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'-') => ("-", &s[1..]),
        Some(b'+') => ("+", &s[1..]),
        _ => ("", s),
    };
    match rest {
        ".inf" | ".Inf" | ".INF" => Some(if sign == "-" { "-Inf" } else { "+Inf" }),
        ".nan" | ".NaN" | ".NAN" if sign.is_empty() => Some("NaN"),
        _ => None,
    }
}

fn to_json(y: &Yaml) -> Result<Value, String> {
    Ok(match y {
        Yaml::Null | Yaml::BadValue => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::Number((*i).into()),
        Yaml::Real(s) => match yaml_special_float(s) {
            // go-yaml reads `.inf`/`.nan` as floats JSON cannot hold: kubectl's YAMLToJSON
            // fails on them (`json: unsupported value: +Inf`).
            Some(go) => {
                return Err(format!(
                    "error converting YAML to JSON: json: unsupported value: {go}"
                ))
            }
            // Out of float64's range (`1e400`) go-yaml keeps the text as a string.
            None => s
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(s.clone())),
        },
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Array(a) => Value::Array(a.iter().map(to_json).collect::<Result<_, _>>()?),
        Yaml::Hash(h) => {
            let mut m = Map::new();
            for (k, v) in h {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    Yaml::Real(r) => r.clone(),
                    Yaml::Null => "null".into(),
                    _ => return Err("error converting YAML to JSON: yaml: invalid map key".into()),
                };
                m.insert(key, to_json(v)?);
            }
            Value::Object(m)
        }
        Yaml::Alias(_) => {
            return Err("error converting YAML to JSON: yaml: aliases are not supported".into())
        }
    })
}

/// Decodes `value` into `T`, rejecting unknown fields like the apiserver's strict decoding.
/// Returns the typed object, or the message parts: (unknown field paths, decode error).
///
/// Only the decode and the round trip are per kind; the failure paths take the kind's
/// [`typed::Probe`], so their code exists once rather than once per kind.
pub fn decode_strict<T: DeserializeOwned + Serialize>(value: &Value) -> Result<T, DecodeError> {
    let (typed, fixed) = match typed::decode::<T>(value) {
        Ok(t) => (t, None),
        Err(e) => {
            let fixed = byte_strings_fixed(typed::probe::<T>, value, e)?;
            match typed::decode::<T>(&fixed) {
                Ok(t) => (t, Some(fixed)),
                Err(e) => return Err(invalid(typed::probe::<T>, &fixed, e)),
            }
        }
    };
    let round = serde_json::to_value(&typed).unwrap_or(Value::Null);
    known_fields_only(fixed.as_ref().unwrap_or(value), &round)?;
    Ok(typed)
}

/// The document with its base64 strings read the Go way ([`go_byte_strings`]), after a
/// first decode failed with `e`; if there is nothing to rewrite, the failure's message.
fn byte_strings_fixed(
    probe: typed::Probe,
    value: &Value,
    e: typed::Error,
) -> Result<Value, DecodeError> {
    match go_byte_strings(probe, value).map_err(DecodeError::Invalid)? {
        Some(fixed) => Ok(fixed),
        None => Err(invalid(probe, value, e)),
    }
}

/// A decode failure's message: Go's type mismatch text if it is one, else serde's.
fn invalid(probe: typed::Probe, value: &Value, e: typed::Error) -> DecodeError {
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    DecodeError::Invalid(
        super::type_errors::go_message(probe, value, kind).unwrap_or_else(|| e.to_string()),
    )
}

/// Fails with the fields of `value` its decoded round trip `round` lacks.
fn known_fields_only(value: &Value, round: &Value) -> Result<(), DecodeError> {
    let mut unknown = Vec::new();
    unknown_fields(value, round, "", &mut unknown);
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(DecodeError::UnknownFields(unknown))
    }
}

/// Most base64 strings of one object rewritten by [`go_byte_strings`].
const MAX_BYTE_STRINGS: usize = 10_000;

/// Base64 fields (`[]byte` in Go) read as the apiserver's decoder reads them: a string
/// serde refuses is decoded the Go way and, if Go takes it, rewritten in canonical form
/// (`Ok(Some)`); if Go refuses it too, Go's message. `Ok(None)`: nothing to rewrite.
fn go_byte_strings(probe: typed::Probe, value: &Value) -> Result<Option<Value>, String> {
    let mut fixed: Option<Value> = None;
    for _ in 0..MAX_BYTE_STRINGS {
        let current = fixed.as_ref().unwrap_or(value);
        let Err(err) = probe(current) else {
            break;
        };
        let inner = err.to_string();
        let base64_error = [
            "Invalid symbol",
            "Invalid last symbol",
            "Invalid padding",
            "Invalid input length",
        ]
        .iter()
        .any(|p| inner.starts_with(p));
        let pointer: String = err
            .path()
            .iter()
            .map(|s| match s {
                typed::Segment::Key(key) => {
                    format!("/{}", key.replace('~', "~0").replace('/', "~1"))
                }
                typed::Segment::Index(index) => format!("/{index}"),
            })
            .collect();
        let Some(text) = current.pointer(&pointer).and_then(Value::as_str) else {
            break;
        };
        if !base64_error {
            break;
        }
        let bytes = super::base64::decode(text).map_err(super::base64::error_message)?;
        let mut next = current.clone();
        match next.pointer_mut(&pointer) {
            Some(slot) => *slot = Value::String(super::base64::encode(&bytes)),
            None => break,
        }
        fixed = Some(next);
    }
    Ok(fixed)
}

/// Why a manifest could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Field paths (`spec.containers[0].imagee`) with a suggestion for each, if one is close.
    UnknownFields(Vec<(String, Option<String>)>),
    /// A value of the wrong type.
    Invalid(String),
}

fn unknown_fields(
    input: &Value,
    known: &Value,
    path: &str,
    out: &mut Vec<(String, Option<String>)>,
) {
    match (input, known) {
        (Value::Object(i), Value::Object(k)) => {
            for (key, v) in i {
                let p = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match k.get(key) {
                    Some(kv) => unknown_fields(v, kv, &p, out),
                    None if v.is_null() => {}
                    None => out.push((p, suggest(key, k.keys().map(String::as_str)))),
                }
            }
        }
        (Value::Array(i), Value::Array(k)) => {
            for (n, (iv, kv)) in i.iter().zip(k.iter()).enumerate() {
                unknown_fields(iv, kv, &format!("{path}[{n}]"), out);
            }
        }
        _ => {}
    }
}

/// Field names learners use most; a mistyped key is compared with these and its siblings.
const VOCABULARY: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "spec",
    "status",
    "name",
    "namespace",
    "labels",
    "annotations",
    "containers",
    "initContainers",
    "image",
    "imagePullPolicy",
    "command",
    "args",
    "ports",
    "containerPort",
    "protocol",
    "env",
    "value",
    "valueFrom",
    "envFrom",
    "resources",
    "requests",
    "limits",
    "volumeMounts",
    "mountPath",
    "volumes",
    "restartPolicy",
    "nodeSelector",
    "nodeName",
    "tolerations",
    "affinity",
    "replicas",
    "selector",
    "matchLabels",
    "matchExpressions",
    "template",
    "strategy",
    "type",
    "targetPort",
    "nodePort",
    "port",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "httpGet",
    "path",
    "initialDelaySeconds",
    "periodSeconds",
    "hostPort",
    "workingDir",
    "securityContext",
    "serviceAccountName",
    "terminationGracePeriodSeconds",
    "configMap",
    "secret",
    "persistentVolumeClaim",
    "claimName",
    "emptyDir",
    "hostPath",
    "key",
    "operator",
    "effect",
    "values",
    "data",
];

/// The known name closest to `key` (edit distance ≤ 2, or a different case), if any.
pub fn suggest<'a>(key: &str, siblings: impl Iterator<Item = &'a str>) -> Option<String> {
    let candidates: Vec<&str> = siblings.chain(VOCABULARY.iter().copied()).collect();
    candidates
        .into_iter()
        .filter(|c| *c != key)
        .map(|c| {
            (
                edit_distance(&key.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(d, c)| *d <= 2.min(c.len() / 3 + 1) || c.eq_ignore_ascii_case(key))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

/// Levenshtein distance between two strings (as cobra uses for "did you mean").
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;

    #[test]
    fn floats_json_cannot_hold_are_refused_as_kubectl_refuses_them() {
        let err = |v: &str| parse(&format!("a: {v}\n")).unwrap_err();
        for (yaml, go) in [
            (".inf", "+Inf"),
            ("+.Inf", "+Inf"),
            ("-.INF", "-Inf"),
            (".nan", "NaN"),
            (".NaN", "NaN"),
        ] {
            assert_eq!(
                err(yaml),
                format!("error converting YAML to JSON: json: unsupported value: {go}")
            );
        }
        let value = |v: &str| parse(&format!("a: {v}\n")).unwrap()[0].value["a"].clone();
        assert_eq!(value("1e400"), Value::String("1e400".into()));
        assert_eq!(value("'.inf'"), Value::String(".inf".into()));
        assert_eq!(value("1.5"), serde_json::json!(1.5));
    }

    #[test]
    fn a_byte_order_mark_is_not_content() {
        let docs = parse("\u{feff}kind: Pod\n").unwrap();
        assert_eq!(docs[0].value["kind"], "Pod");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = 20_000;
        let cases = [
            "- ".repeat(deep) + "x\n",
            "[".repeat(deep) + &"]".repeat(deep),
            "{\"a\":".repeat(deep) + "1" + &"}".repeat(deep),
            (0..deep)
                .map(|i| format!("{}a:\n", " ".repeat(i)))
                .collect::<String>(),
        ];
        for text in cases {
            let err = parse(&text).unwrap_err();
            assert!(
                err.starts_with("error converting YAML to JSON: yaml: line ")
                    && err.ends_with(": exceeded max depth of 200"),
                "{err}"
            );
        }
        // At the limit it still loads.
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
        let err = parse(&("[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1))).unwrap_err();
        assert_eq!(
            err,
            "error converting YAML to JSON: yaml: line 1: exceeded max depth of 200"
        );
    }

    /// 9 levels of 9 aliases: about 390 million nodes once expanded.
    pub(crate) fn billion_laughs() -> String {
        let mut text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n".to_string();
        for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
            let refs = vec![format!("*{prev}"); 9].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        text
    }

    #[test]
    fn alias_bombs_are_refused_with_go_yamls_words() {
        let start = std::time::Instant::now();
        let err = parse(&billion_laughs()).unwrap_err();
        assert!(start.elapsed().as_millis() < 500, "{:?}", start.elapsed());
        assert_eq!(
            err,
            "error converting YAML to JSON: yaml: document contains excessive aliasing"
        );
        // Ordinary anchors and merge-free aliases still load.
        let ok = "a: &x {k: v}\nb: *x\nc: [*x, *x]\n";
        assert_eq!(parse(ok).unwrap()[0].value["c"][1]["k"], "v");
        // The budget is per document.
        let fine = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n";
        let two = format!("{fine}---\n{fine}");
        assert_eq!(parse(&two).unwrap().len(), 2);
    }

    #[test]
    fn closing_brackets_may_sit_at_the_key_indentation() {
        let text = "spec:\n  command: [\n    \"sh\", \"-c\",\n  ]\n  env: {\n    a: b\n}\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs[0].value["spec"]["command"][1], "-c");
        assert_eq!(docs[0].value["spec"]["env"]["a"], "b");
        assert!(parse("a:\n  b: c\n d: e\n").is_err());
    }

    #[test]
    fn plain_leading_zero_integers_are_octal_as_in_go_yaml() {
        let docs = parse("a: 0400\nb: '0644'\nc: 0\nd: 089\ne: 420\n---\nf: 0o17\n").unwrap();
        assert_eq!(
            docs[0].value,
            serde_json::json!({"a": 256, "b": "0644", "c": 0, "d": 89, "e": 420})
        );
        assert_eq!(docs[1].value, serde_json::json!({"f": 15}));
    }

    #[test]
    fn documents_and_lines() {
        let docs =
            parse("---\n# 주석\napiVersion: v1\nkind: Pod\n--- # second\nkind: Namespace\n...\n")
                .unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].value["kind"], "Pod");
        assert_eq!(docs[1].line, 6);
        assert!(parse("a: [1, 2")
            .unwrap_err()
            .starts_with("error converting YAML to JSON: yaml: line"));
        assert_eq!(
            parse("{\"kind\": \"Pod\", \"x\": [1, 2.5]}").unwrap()[0].value["x"][1],
            2.5
        );
    }

    #[test]
    fn strict_decoding_finds_typos_and_suggests() {
        let doc = &parse("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  contianers:\n  - name: a\n    image: nginx\n").unwrap()[0];
        let err = decode_strict::<Pod>(&doc.value).unwrap_err();
        assert_eq!(
            err,
            DecodeError::UnknownFields(vec![("spec.contianers".into(), Some("containers".into()))])
        );
        let doc = &parse("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - name: a\n    imagee: nginx\n").unwrap()[0];
        let err = decode_strict::<Pod>(&doc.value).unwrap_err();
        assert_eq!(
            err,
            DecodeError::UnknownFields(vec![(
                "spec.containers[0].imagee".into(),
                Some("image".into())
            )])
        );
        let doc = &parse("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - name: a\n    ports:\n    - containerPort: '80'\n").unwrap()[0];
        assert!(matches!(
            decode_strict::<Pod>(&doc.value),
            Err(DecodeError::Invalid(_))
        ));
    }
}
