//! AWS Signature Version 4, as a verifier: the canonical request, the string to sign and the
//! signature of a request signed in its Authorization header or in its query string
//! (presigned). Pure: the secret is looked up by the caller, the time is passed in.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// How far a signed request's time may be from ours, either way (AWS: 15 minutes).
pub const MAX_SKEW_SECONDS: i64 = 15 * 60;
/// The longest a presigned request may be valid (AWS: 7 days).
pub const MAX_EXPIRES_SECONDS: i64 = 7 * 24 * 3600;

/// A request as it arrived: the raw path and query, the headers in order, the body.
#[derive(Debug, Clone)]
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// Percent-encoded as on the wire, without the query.
    pub path: &'a str,
    /// Without the `?`; empty when there is none.
    pub query: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// What a request claims about its signature, before any secret is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub access_key_id: String,
    /// `YYYYMMDD`.
    pub date: String,
    pub region: String,
    pub service: String,
    /// `YYYYMMDDTHHMMSSZ`.
    pub amz_date: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
    /// Presigned: the signature is in the query, valid for this many seconds.
    pub presigned_expires: Option<i64>,
    pub session_token: Option<String>,
}

/// Why a request is refused, with AWS's error codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigError {
    /// No signature at all, or not SigV4.
    Missing,
    /// `IncompleteSignature`: a part is missing or malformed.
    Incomplete(String),
    /// `RequestExpired`: outside the allowed clock skew, or past a presigned expiry.
    Expired(String),
    /// `SignatureDoesNotMatch`.
    Mismatch(String),
    /// Headers that steer the request (`x-amz-*`, `content-type`) were sent but not signed:
    /// anyone on the way could have changed them. The names, lowercase and sorted.
    Unsigned(Vec<String>),
}

impl SigError {
    pub fn code(&self) -> &'static str {
        match self {
            SigError::Missing => "MissingAuthenticationToken",
            SigError::Incomplete(_) => "IncompleteSignature",
            SigError::Expired(_) => "RequestExpired",
            SigError::Mismatch(_) | SigError::Unsigned(_) => "SignatureDoesNotMatch",
        }
    }

    pub fn message(&self) -> String {
        match self {
            SigError::Missing => "Request is missing Authentication Token".into(),
            SigError::Incomplete(m) | SigError::Expired(m) | SigError::Mismatch(m) => m.clone(),
            // S3's words (IAM, STS and Budgets have none of their own), with S3's list of names.
            SigError::Unsigned(names) => format!(
                "There were headers present in the request which were not signed: {}",
                names.join(", ")
            ),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// RFC 3986 encoding as SigV4 wants it: everything but unreserved characters (and `/` when
/// encoding a path).
fn uri_encode(bytes: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decoding (`%XX`); anything else, malformed escapes included, stays as it is.
pub fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let value = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match value {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

/// The path with `.` and `..` segments resolved and repeated slashes collapsed (AWS
/// normalizes every service's paths but S3's).
fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    if trailing && out != "/" {
        out.push('/');
    }
    out
}

/// Percent-encodes everything but RFC 3986's unreserved characters: a query value or a
/// form field as AWS (and the browser's download links) want it.
pub fn encode_component(text: &str) -> String {
    uri_encode(text.as_bytes(), false)
}

fn canonical_uri(path: &str, normalize: bool) -> String {
    let path = if path.is_empty() { "/" } else { path };
    let path = if normalize {
        normalize_path(path)
    } else {
        path.to_owned()
    };
    // Decoded first, then encoded once: the wire form may encode more or less than SigV4.
    uri_encode(&percent_decode(&path), true)
}

/// Query pairs, decoded, without the presigned signature (and without the session token
/// when it was added after signing).
fn query_pairs(query: &str, skip_token: bool) -> Vec<(Vec<u8>, Vec<u8>)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), Vec::new()),
        })
        .filter(|(k, _)| k.as_slice() != b"X-Amz-Signature")
        .filter(|(k, _)| !(skip_token && k.as_slice() == b"X-Amz-Security-Token"))
        .collect()
}

fn canonical_query(query: &str, skip_token: bool) -> String {
    let mut pairs: Vec<(String, String)> = query_pairs(query, skip_token)
        .into_iter()
        .map(|(k, v)| (uri_encode(&k, false), uri_encode(&v, false)))
        .collect();
    pairs.sort();
    pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// A header value as SigV4 compares it: trimmed, runs of spaces (and folded lines) as one.
fn canonical_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn canonical_headers(headers: &[(String, String)], signed: &[String]) -> Result<String, SigError> {
    let mut out = String::new();
    for name in signed {
        let values: Vec<String> = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| canonical_value(v))
            .collect();
        if values.is_empty() {
            return Err(SigError::Incomplete(format!(
                "Signed header {name} is missing from the request."
            )));
        }
        out.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    Ok(out)
}

/// The canonical request for `claim`'s signed headers.
pub fn canonical_request(
    request: &SignedRequest<'_>,
    claim: &Claim,
    normalize: bool,
) -> Result<String, SigError> {
    canonical_request_with(request, claim, normalize, false)
}

/// `canonical_request`, leaving out a presigned URL's session token when `skip_token` (some
/// clients append the token after signing).
pub fn canonical_request_with(
    request: &SignedRequest<'_>,
    claim: &Claim,
    normalize: bool,
    skip_token: bool,
) -> Result<String, SigError> {
    let headers = canonical_headers(request.headers, &claim.signed_headers)?;
    Ok(format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        canonical_uri(request.path, normalize),
        canonical_query(request.query, skip_token),
        headers,
        claim.signed_headers.join(";"),
        sha256_hex(request.body)
    ))
}

pub fn scope(claim: &Claim) -> String {
    format!("{}/{}/{}/aws4_request", claim.date, claim.region, claim.service)
}

pub fn string_to_sign(claim: &Claim, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{}\n{}\n{}",
        claim.amz_date,
        scope(claim),
        sha256_hex(canonical_request.as_bytes())
    )
}

pub fn signature(secret: &str, claim: &Claim, string_to_sign: &str) -> String {
    let date = hmac(format!("AWS4{secret}").as_bytes(), claim.date.as_bytes());
    let region = hmac(&date, claim.region.as_bytes());
    let service = hmac(&region, claim.service.as_bytes());
    let signing = hmac(&service, b"aws4_request");
    hex(&hmac(&signing, string_to_sign.as_bytes()))
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn parse_credential(text: &str) -> Result<(String, String, String, String), SigError> {
    let parts: Vec<&str> = text.split('/').collect();
    match parts.as_slice() {
        [key, date, region, service, "aws4_request"]
            if !key.is_empty() && date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok(((*key).into(), (*date).into(), (*region).into(), (*service).into()))
        }
        _ => Err(SigError::Incomplete(format!(
            "Credential should be scoped to a valid region and service: `{text}`"
        ))),
    }
}

fn split_signed_headers(text: &str) -> Vec<String> {
    text.split(';').map(str::to_ascii_lowercase).collect()
}

/// Reads the signature's claims from the Authorization header or the query string.
pub fn parse_claim(request: &SignedRequest<'_>) -> Result<Claim, SigError> {
    let token = header(request.headers, "x-amz-security-token").map(str::to_owned);
    if let Some(auth) = header(request.headers, "authorization") {
        let rest = auth
            .strip_prefix(ALGORITHM)
            .map(str::trim_start)
            .ok_or(SigError::Missing)?;
        let mut credential = None;
        let mut signed = None;
        let mut sig = None;
        for part in rest.split(',') {
            let (k, v) = part.trim().split_once('=').unwrap_or((part.trim(), ""));
            match k {
                "Credential" => credential = Some(v),
                "SignedHeaders" => signed = Some(v),
                "Signature" => sig = Some(v),
                _ => {}
            }
        }
        let missing = |what: &str| {
            SigError::Incomplete(format!(
                "Authorization header requires '{what}' parameter. Authorization={auth}"
            ))
        };
        let (key, date, region, service) =
            parse_credential(credential.ok_or_else(|| missing("Credential"))?)?;
        let amz_date = header(request.headers, "x-amz-date")
            .ok_or_else(|| missing("X-Amz-Date"))?
            .to_owned();
        return Ok(Claim {
            access_key_id: key,
            date,
            region,
            service,
            amz_date,
            signed_headers: split_signed_headers(signed.ok_or_else(|| missing("SignedHeaders"))?),
            signature: sig.ok_or_else(|| missing("Signature"))?.to_owned(),
            presigned_expires: None,
            session_token: token,
        });
    }
    let query: Vec<(String, String)> = request
        .query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            (
                String::from_utf8_lossy(&percent_decode(k)).into_owned(),
                String::from_utf8_lossy(&percent_decode(v)).into_owned(),
            )
        })
        .collect();
    let get = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    match get("X-Amz-Algorithm") {
        None => return Err(SigError::Missing),
        Some(a) if a != ALGORITHM => {
            return Err(SigError::Incomplete(format!("Unsupported algorithm `{a}`")))
        }
        Some(_) => {}
    }
    let missing = |what: &str| {
        SigError::Incomplete(format!(
            "Query-string authentication requires the {what} parameter"
        ))
    };
    let (key, date, region, service) =
        parse_credential(&get("X-Amz-Credential").ok_or_else(|| missing("X-Amz-Credential"))?)?;
    let expires = get("X-Amz-Expires")
        .ok_or_else(|| missing("X-Amz-Expires"))?
        .parse::<i64>()
        .ok()
        .filter(|e| (1..=MAX_EXPIRES_SECONDS).contains(e))
        .ok_or_else(|| {
            SigError::Incomplete("X-Amz-Expires must be a whole number of seconds up to 604800".into())
        })?;
    Ok(Claim {
        access_key_id: key,
        date,
        region,
        service,
        amz_date: get("X-Amz-Date").ok_or_else(|| missing("X-Amz-Date"))?,
        signed_headers: split_signed_headers(
            &get("X-Amz-SignedHeaders").ok_or_else(|| missing("X-Amz-SignedHeaders"))?,
        ),
        signature: get("X-Amz-Signature").ok_or_else(|| missing("X-Amz-Signature"))?,
        presigned_expires: Some(expires),
        session_token: get("X-Amz-Security-Token").or(token),
    })
}

/// `YYYYMMDDTHHMMSSZ` as seconds since the epoch.
pub fn parse_amz_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, mo, d, h, mi, s) = (
        num(0..4)?,
        num(4..6)?,
        num(6..8)?,
        num(9..11)?,
        num(11..13)?,
        num(13..15)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + s)
}

/// The headers that steer a request but are not among those signed: every `x-amz-*` header
/// and `content-type` must be signed when sent (botocore and the AWS CLI sign all they send).
/// Two may go unsigned: `x-amz-date` when it is the signature's own date (it is in the string
/// to sign, so a change breaks the signature anyway), and `x-amz-security-token`, which some
/// clients add after signing (the suite's post-sts-header-after) and the caller checks
/// against the key.
pub fn unsigned_headers(request: &SignedRequest<'_>, claim: &Claim) -> Vec<String> {
    let mut names: Vec<String> = request
        .headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .filter(|name| name.starts_with("x-amz-") || name == "content-type")
        .filter(|name| name != "x-amz-security-token")
        .filter(|name| !(name == "x-amz-date" && claim.presigned_expires.is_none()))
        .filter(|name| !claim.signed_headers.contains(name))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Checks a claimed signature against the secret, at time `now` (epoch seconds). `normalize`
/// resolves `.`/`..` and repeated slashes in the path first, as AWS does for all but S3.
pub fn verify(
    request: &SignedRequest<'_>,
    claim: &Claim,
    secret: &str,
    now: i64,
    normalize: bool,
) -> Result<(), SigError> {
    let signed_at = parse_amz_date(&claim.amz_date).ok_or_else(|| {
        SigError::Incomplete(format!(
            "X-Amz-Date `{}` is not in ISO 8601 basic format",
            claim.amz_date
        ))
    })?;
    if !claim.amz_date.starts_with(&claim.date) {
        return Err(SigError::Mismatch(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}'",
            claim.date,
            &claim.amz_date[..8]
        )));
    }
    if !claim.signed_headers.iter().any(|h| h == "host") {
        return Err(SigError::Incomplete("The host header must be signed".into()));
    }
    // A valid signature over some headers says nothing of the others: an unsigned
    // `X-Amz-Target` could turn a captured DescribeBudgets into a DeleteBudget.
    let unsigned = unsigned_headers(request, claim);
    if !unsigned.is_empty() {
        return Err(SigError::Unsigned(unsigned));
    }
    match claim.presigned_expires {
        Some(expires) => {
            if now < signed_at - MAX_SKEW_SECONDS || now > signed_at + expires {
                return Err(SigError::Expired(format!(
                    "Request has expired: signed at {}, valid for {expires} seconds",
                    claim.amz_date
                )));
            }
        }
        None => {
            if (now - signed_at).abs() > MAX_SKEW_SECONDS {
                return Err(SigError::Expired(format!(
                    "Request has expired: the signature's date {} is more than 15 minutes from the server's time",
                    claim.amz_date
                )));
            }
        }
    }
    let matches = |skip_token: bool| -> Result<bool, SigError> {
        let canonical = canonical_request_with(request, claim, normalize, skip_token)?;
        let expected = signature(secret, claim, &string_to_sign(claim, &canonical));
        Ok(expected.len() == claim.signature.len()
            && expected
                .bytes()
                .zip(claim.signature.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0)
    };
    // The token, if any, is checked against the key by the caller either way.
    let token_in_query = claim.presigned_expires.is_some() && request.query.contains("X-Amz-Security-Token=");
    if matches(false)? || (token_in_query && matches(true)?) {
        Ok(())
    } else {
        Err(SigError::Mismatch(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".into(),
        ))
    }
}
