//! Base64 as Go's `encoding/base64.StdEncoding` reads it: what the apiserver's JSON decoder
//! does with `[]byte` fields (a Secret's `data`, a ConfigMap's `binaryData`). Go skips `\r`
//! and `\n` and ignores stray low bits, and names the first bad byte in its error
//! (`illegal base64 data at input byte 4`), where the `base64` crate behind k8s-openapi's
//! `ByteString` is stricter and words it otherwise.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn sextet(b: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == b).map(|p| p as u32)
}

fn is_newline(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Decodes `src` as Go's `StdEncoding.DecodeString` does; `Err(offset)` is Go's
/// `CorruptInputError` (the byte it names).
pub fn decode(src: &str) -> Result<Vec<u8>, usize> {
    let src = src.as_bytes();
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    // Each pass reads one quantum of four symbols (`decodeQuantum`).
    while si < src.len() {
        let mut buf = [0u32; 4];
        let mut len = 4;
        let mut j = 0;
        let mut end = false;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                // Padding is required: a short quantum is corrupt where it started.
                return Err(si - j);
            }
            let c = src[si];
            si += 1;
            if let Some(v) = sextet(c) {
                buf[j] = v;
                j += 1;
                continue;
            }
            if is_newline(c) {
                continue;
            }
            if c != b'=' {
                return Err(si - 1);
            }
            // Padding: only after two or three symbols, `==` after two.
            match j {
                0 | 1 => return Err(si - 1),
                2 => {
                    while si < src.len() && is_newline(src[si]) {
                        si += 1;
                    }
                    if si == src.len() {
                        return Err(src.len());
                    }
                    if src[si] != b'=' {
                        return Err(si - 1);
                    }
                    si += 1;
                }
                _ => {}
            }
            while si < src.len() && is_newline(src[si]) {
                si += 1;
            }
            if si < src.len() {
                return Err(si);
            }
            len = j;
            end = true;
            break;
        }
        let val = buf[0] << 18 | buf[1] << 12 | buf[2] << 6 | buf[3];
        let bytes = [(val >> 16) as u8, (val >> 8) as u8, val as u8];
        out.extend_from_slice(&bytes[..len - 1]);
        if end {
            break;
        }
    }
    Ok(out)
}

/// Encodes `bytes` with padding (`StdEncoding.EncodeToString`).
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let val = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((val >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's message for a corrupt input.
pub fn error_message(offset: usize) -> String {
    format!("illegal base64 data at input byte {offset}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_as_go_does() {
        assert_eq!(decode("YWRtaW4="), Ok(b"admin".to_vec()));
        assert_eq!(decode("YWRt\naW4="), Ok(b"admin".to_vec()));
        assert_eq!(decode(""), Ok(Vec::new()));
        // Stray low bits are ignored (not strict).
        assert_eq!(decode("YR=="), Ok(b"a".to_vec()));
        assert_eq!(decode("admin"), Err(4));
        assert_eq!(decode("ad!n"), Err(2));
        assert_eq!(decode("YQ="), Err(3));
        assert_eq!(decode("YQ==YQ=="), Err(4));
        assert_eq!(decode("Y==="), Err(1));
        assert_eq!(decode("my-password"), Err(2));
    }

    #[test]
    fn encodes_with_padding() {
        for s in ["", "a", "ab", "abc", "admin", "1f2d1e2e67df"] {
            assert_eq!(decode(&encode(s.as_bytes())), Ok(s.as_bytes().to_vec()));
        }
        assert_eq!(encode(b"admin"), "YWRtaW4=");
    }
}
