//! Policy strings: literal text, the wildcards `*` and `?`, and policy variables
//! (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, `${*}`, `${?}`, `${$}`).
//! Compiled once at parse time; resolved against a request's context at evaluation.

use super::context::Context;
use smallvec::SmallVec;

/// One piece of a policy string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text matched as is (variable values and `${*}`-style escapes become literals too).
    Lit(String),
    /// `*`: any run of characters, including none.
    Star,
    /// `?`: exactly one character.
    One,
    /// `${key}` or `${key, 'default'}`; `key` is lower-cased (keys are case-insensitive).
    Var { key: String, default: Option<String> },
}

/// A compiled policy string. Most have one or two parts, kept inline (no allocation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub parts: SmallVec<[Part; 2]>,
}

/// Why a string is not a valid template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl Template {
    /// Compiles `text`. With `variables` false (policy version 2008-10-17) `${...}` is literal.
    pub fn compile(text: &str, variables: bool) -> Result<Self, TemplateError> {
        let mut parts = SmallVec::new();
        let mut lit = String::new();
        let bytes = text.as_bytes();
        // The special characters are ASCII, so scanning bytes keeps UTF-8 intact; literal
        // runs between them are copied whole.
        let (mut i, mut run) = (0, 0);
        while i < bytes.len() {
            match bytes[i] {
                b'*' | b'?' => {
                    lit.push_str(&text[run..i]);
                    flush(&mut lit, &mut parts);
                    parts.push(if bytes[i] == b'*' { Part::Star } else { Part::One });
                    i += 1;
                    run = i;
                }
                b'$' if variables && bytes.get(i + 1) == Some(&b'{') => {
                    lit.push_str(&text[run..i]);
                    let close = text[i..].find('}').map(|c| i + c).ok_or_else(|| {
                        TemplateError(format!("policy variable in `{text}` is not closed with `}}`"))
                    })?;
                    let inner = text[i + 2..close].trim();
                    match variable(inner) {
                        Some(Part::Lit(s)) => lit.push_str(&s),
                        Some(other) => {
                            flush(&mut lit, &mut parts);
                            parts.push(other);
                        }
                        None => {
                            return Err(TemplateError(format!(
                                "`${{{inner}}}` is not a valid policy variable"
                            )))
                        }
                    }
                    i = close + 1;
                    run = i;
                }
                _ => i += 1,
            }
        }
        lit.push_str(&text[run..]);
        flush(&mut lit, &mut parts);
        Ok(Self { parts })
    }

    pub fn has_variables(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Var { .. }))
    }

    /// Replaces variables with their values. `None` when a variable has neither a value nor
    /// a default: such a string matches nothing, as on AWS.
    pub fn resolve(&self, context: &Context) -> Option<Vec<Part>> {
        let mut out: Vec<Part> = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            let text = match part {
                Part::Var { key, default } => match context.first(key) {
                    Some(value) => value.to_owned(),
                    None => default.clone()?,
                },
                Part::Lit(s) => s.clone(),
                other => {
                    out.push(other.clone());
                    continue;
                }
            };
            match out.last_mut() {
                Some(Part::Lit(prev)) => prev.push_str(&text),
                _ => out.push(Part::Lit(text)),
            }
        }
        Some(out)
    }

    /// The string with variables resolved and wildcards as plain characters (for the
    /// `String*Equals`, `Numeric`, `Date`, `Bool`, `Binary` and `IpAddress` operators).
    pub fn resolve_text(&self, context: &Context) -> Option<String> {
        if !self.has_variables() {
            return Some(plain_text(&self.parts));
        }
        self.resolve(context).map(|parts| plain_text(&parts))
    }

    /// The text the parts stand for (`*` and `?` as themselves, variables as `${key}`).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(s) => out.push_str(s),
                Part::Star => out.push('*'),
                Part::One => out.push('?'),
                Part::Var { key, .. } => {
                    out.push_str("${");
                    out.push_str(key);
                    out.push('}');
                }
            }
        }
        out
    }
}

fn plain_text(parts: &[Part]) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Lit(s) => out.push_str(s),
            Part::Star => out.push('*'),
            Part::One => out.push('?'),
            Part::Var { .. } => {}
        }
    }
    out
}

fn flush(lit: &mut String, parts: &mut SmallVec<[Part; 2]>) {
    if !lit.is_empty() {
        parts.push(Part::Lit(std::mem::take(lit)));
    }
}

fn variable(inner: &str) -> Option<Part> {
    match inner {
        "*" => return Some(Part::Lit("*".into())),
        "?" => return Some(Part::Lit("?".into())),
        "$" => return Some(Part::Lit("$".into())),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let quoted = default.len() >= 2 && default.starts_with('\'') && default.ends_with('\'');
            if !quoted {
                return None;
            }
            (key.trim(), Some(default[1..default.len() - 1].to_owned()))
        }
        None => (inner, None),
    };
    let (vendor, name) = key.split_once(':')?;
    let vendor_ok = !vendor.is_empty() && vendor.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !vendor_ok || name.is_empty() || key.chars().any(char::is_whitespace) {
        return None;
    }
    Some(Part::Var {
        key: key.to_lowercase(),
        default,
    })
}

/// Glob match of `text` against `parts` (no variables left), case-sensitive.
pub fn glob(parts: &[Part], text: &str) -> bool {
    glob_with(parts, text, false)
}

/// Glob match ignoring ASCII case (actions: their names are ASCII).
pub fn glob_ignore_case(parts: &[Part], text: &str) -> bool {
    glob_with(parts, text, true)
}

fn starts_with(text: &str, lit: &str, ignore_case: bool) -> bool {
    if ignore_case {
        text.len() >= lit.len()
            && text.as_bytes()[..lit.len()].eq_ignore_ascii_case(lit.as_bytes())
            && text.is_char_boundary(lit.len())
    } else {
        text.starts_with(lit)
    }
}

fn glob_with(parts: &[Part], text: &str, ignore_case: bool) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    // Where to resume after the last `*`: (pattern index after it, text index it has eaten to).
    let mut resume: Option<(usize, usize)> = None;
    loop {
        if let Some(part) = parts.get(pi) {
            let advanced = match part {
                Part::Star => {
                    resume = Some((pi + 1, ti));
                    pi += 1;
                    continue;
                }
                Part::One => match text[ti..].chars().next() {
                    Some(c) => {
                        ti += c.len_utf8();
                        true
                    }
                    None => false,
                },
                Part::Lit(lit) => {
                    if starts_with(&text[ti..], lit, ignore_case) {
                        ti += lit.len();
                        true
                    } else {
                        false
                    }
                }
                Part::Var { .. } => false,
            };
            if advanced {
                pi += 1;
                continue;
            }
        } else if ti == text.len() {
            return true;
        }
        // Mismatch: let the last `*` eat one more character and retry after it.
        match resume {
            Some((after_star, eaten)) => match text[eaten..].chars().next() {
                Some(c) => {
                    let next = eaten + c.len_utf8();
                    resume = Some((after_star, next));
                    pi = after_star;
                    ti = next;
                }
                None => return false,
            },
            None => return false,
        }
    }
}

/// An ARN split into its six parts (`arn:partition:service:region:account:resource`); the
/// resource part keeps any further colons.
pub fn split_arn(text: &str) -> Option<[&str; 6]> {
    let mut it = text.splitn(6, ':');
    let parts = [
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
    ];
    (parts[0] == "arn").then_some(parts)
}

/// Splits compiled parts into the six ARN parts at the first five literal colons.
pub fn split_parts(parts: &[Part]) -> Option<[Vec<Part>; 6]> {
    let mut out: [Vec<Part>; 6] = Default::default();
    let mut index = 0;
    for part in parts {
        match part {
            Part::Lit(lit) if index < 5 => {
                let mut rest = lit.as_str();
                while index < 5 {
                    match rest.split_once(':') {
                        Some((before, after)) => {
                            if !before.is_empty() {
                                out[index].push(Part::Lit(before.to_owned()));
                            }
                            index += 1;
                            rest = after;
                        }
                        None => break,
                    }
                }
                if !rest.is_empty() {
                    out[index].push(Part::Lit(rest.to_owned()));
                }
            }
            other => out[index].push(other.clone()),
        }
    }
    (index == 5).then_some(out)
}

/// ARN-aware match: each of the six parts separately, wildcards within a part.
pub fn arn_like(pattern: &[Part], text: &str) -> bool {
    if let [Part::Star] = pattern {
        return true;
    }
    match (split_parts(pattern), split_arn(text)) {
        (Some(p), Some(t)) => p.iter().zip(t.iter()).all(|(p, t)| glob(p, t)),
        // Neither is an ARN (e.g. an S3 key in a condition): plain wildcard match.
        (None, None) => glob(pattern, text),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Template {
        Template::compile(text, true).unwrap()
    }

    #[test]
    fn wildcards() {
        let cases = [
            ("*", "", true),
            ("*", "anything", true),
            ("iam:*", "iam:createuser", true),
            ("iam:get*", "iam:getuser", true),
            ("iam:get*", "iam:listusers", false),
            ("iam:?etUser", "iam:GetUser", true),
            ("iam:?etUser", "iam:etUser", false),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("*ab", "aab", true),
            ("*é?", "xéü", true),
            ("a", "ab", false),
            ("", "", true),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(glob(&t(pattern).parts, text), expected, "{pattern} ~ {text}");
        }
    }

    #[test]
    fn variables_and_escapes() {
        let mut ctx = Context::default();
        ctx.set("aws:username", "bob*");
        let tpl = t("arn:aws:iam::*:user/${aws:username}");
        let parts = tpl.resolve(&ctx).unwrap();
        // The value is literal: `bob*` does not act as a wildcard.
        assert!(glob(&parts, "arn:aws:iam::1:user/bob*"));
        assert!(!glob(&parts, "arn:aws:iam::1:user/bobby"));
        assert_eq!(
            t("a${*}b${?}c${$}").parts.to_vec(),
            vec![Part::Lit("a*b?c$".into())]
        );
        assert_eq!(
            t("${aws:PrincipalTag/Team, 'none'}")
                .resolve_text(&ctx)
                .as_deref(),
            Some("none")
        );
        assert_eq!(t("${aws:userid}").resolve(&ctx), None);
        assert_eq!(
            Template::compile("${aws:username}", false)
                .unwrap()
                .parts
                .to_vec(),
            vec![Part::Lit("${aws:username}".into())]
        );
        for bad in ["${aws:username", "${username}", "${aws:x, none}", "${ :x}"] {
            assert!(Template::compile(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn arns_match_part_by_part() {
        let p = |s: &str| t(s).parts;
        assert!(arn_like(&p("arn:aws:s3:::bucket/*"), "arn:aws:s3:::bucket/a/b:c"));
        assert!(arn_like(
            &p("arn:aws:iam::*:user/*"),
            "arn:aws:iam::123456789012:user/ann"
        ));
        // A `*` does not reach across parts.
        assert!(!arn_like(
            &p("arn:aws:iam::*"),
            "arn:aws:iam::123456789012:user/ann"
        ));
        assert!(arn_like(
            &p("arn:aws:iam::*:*"),
            "arn:aws:iam::123456789012:user/ann"
        ));
        assert!(!arn_like(&p("arn:aws:iam::1:user/a"), "arn:aws:iam::1:user/A"));
        assert!(arn_like(&p("*"), "not-an-arn"));
        assert!(!arn_like(&p("arn:aws:s3:::b"), "b"));
        assert_eq!(
            split_arn("arn:aws:iam::1:user/x:y"),
            Some(["arn", "aws", "iam", "", "1", "user/x:y"])
        );
    }
}
