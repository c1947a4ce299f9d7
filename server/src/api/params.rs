//! The request's parameters, indexed once by name: looking one up is a hash lookup, so
//! reading a list of N numbered members (`ActionNames.member.N`) costs O(N), not O(N²).

use super::xml::ApiError;
use iam_core::credentials::sigv4;
use std::collections::HashMap;

/// Form encoding (the query string and a form body) as name-value pairs, in order.
pub(super) fn decode_form(text: &str) -> Vec<(String, String)> {
    // Form encoding writes spaces as `+`; the rest is percent-encoding.
    let decode = |s: &str| String::from_utf8_lossy(&sigv4::percent_decode(&s.replace('+', " "))).into_owned();
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// The request's parameters: the query string's and a form body's. A name given twice keeps
/// its first value.
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        let mut map = HashMap::with_capacity(pairs.len());
        for (name, value) in pairs {
            map.entry(name).or_insert(value);
        }
        Self(map)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The list `{name}.member.1`, `.2`, ... up to the first number missing.
    pub fn members(&self, name: &str) -> Vec<String> {
        (1..)
            .map_while(|i| self.get(&format!("{name}.member.{i}")).map(str::to_owned))
            .collect()
    }

    /// A parameter the action needs, or AWS's ValidationError naming it.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name).ok_or_else(|| {
            let mut member = name.to_owned();
            if let Some(first) = member.get(..1) {
                member.replace_range(..1, &first.to_lowercase());
            }
            ApiError::validation(format!(
                "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_thousand_members_read_back_in_order_whatever_order_they_came_in() {
        // Backwards, as nothing obliges a client to number its members in order.
        let body: Vec<String> = (1..=10_000)
            .rev()
            .map(|i| format!("ActionNames.member.{i}=s3%3AGet{i}"))
            .collect();
        let params = Params::new(decode_form(&format!("Action=X&{}", body.join("&"))));
        let members = params.members("ActionNames");
        assert_eq!(members.len(), 10_000);
        assert_eq!(members[0], "s3:Get1");
        assert_eq!(members[9_999], "s3:Get10000");
        assert!(members
            .iter()
            .enumerate()
            .all(|(i, m)| *m == format!("s3:Get{}", i + 1)));
    }

    #[test]
    fn a_list_stops_at_its_first_gap_and_a_repeated_name_keeps_its_first_value() {
        let params = Params::new(decode_form("L.member.1=a&L.member.2=b+c&L.member.4=d&N=1&N=2"));
        assert_eq!(params.members("L"), ["a", "b c"]);
        assert_eq!(params.get("N"), Some("1"));
        assert!(params.members("Other").is_empty());
    }
}
