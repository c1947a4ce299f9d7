//! What many actions share: Marker and MaxItems pages, PathPrefix, tags, flags and numbers.

use super::xml::el;
use super::xml::ApiError;
use super::Params;

/// AWS's default and largest page for list actions.
pub(super) const MAX_ITEMS: i64 = 1000;

pub(super) const DEFAULT_ITEMS: i64 = 100;

/// Marker and MaxItems as an offset page. Markers are opaque to clients; these lists' is
/// the offset.
pub(super) fn page(params: &Params) -> Result<(i64, i64), ApiError> {
    let offset = match params.get("Marker") {
        None => 0,
        Some(m) => m
            .parse::<i64>()
            .ok()
            .filter(|o| *o >= 0)
            .ok_or_else(|| ApiError::validation(format!("Invalid Marker `{m}`")))?,
    };
    Ok((offset, max_items(params)?))
}

/// MaxItems: 1 to 1000, 100 when not given.
pub(super) fn max_items(params: &Params) -> Result<i64, ApiError> {
    match params.get("MaxItems") {
        None => Ok(DEFAULT_ITEMS),
        Some(n) => n
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_ITEMS).contains(n))
            .ok_or_else(|| {
                ApiError::validation(format!(
                    "1 validation error detected: Value '{n}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000"
                ))
            }),
    }
}

pub(super) fn truncation(offset: i64, shown: usize, total: i64) -> String {
    let next = offset + shown as i64;
    if next < total {
        format!(
            "<IsTruncated>true</IsTruncated>{}",
            el("Marker", &next.to_string())
        )
    } else {
        "<IsTruncated>false</IsTruncated>".into()
    }
}

/// One page of a list that is already whole in memory (a user's groups, tags, policies:
/// at most a few dozen), with the same markers as the database's pages.
pub(super) fn paged<T>(items: Vec<T>, params: &Params) -> Result<(Vec<T>, String), ApiError> {
    let (offset, limit) = page(params)?;
    let total = items.len() as i64;
    let shown: Vec<T> = items
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    let marker = truncation(offset, shown.len(), total);
    Ok((shown, marker))
}

/// `<{tag}><member>…</member>…</{tag}>` and its marker, for one page of an in-memory list;
/// `member` writes one item's fields.
pub(super) fn paged_list<T>(
    tag: &str,
    items: Vec<T>,
    params: &Params,
    member: impl Fn(&T) -> String,
) -> Result<String, ApiError> {
    let (shown, marker) = paged(items, params)?;
    let members: String = shown
        .iter()
        .map(|item| format!("<member>{}</member>", member(item)))
        .collect();
    Ok(format!("<{tag}>{members}</{tag}>{marker}"))
}

/// AWS's PathPrefix: `/` followed by printable ASCII, at most 512 characters.
pub(super) fn path_prefix(params: &Params) -> Result<String, ApiError> {
    let prefix = params.get("PathPrefix").unwrap_or("/");
    let ok =
        prefix.starts_with('/') && prefix.len() <= 512 && prefix.bytes().all(|b| (0x21..=0x7f).contains(&b));
    if ok {
        Ok(prefix.to_owned())
    } else {
        Err(ApiError::validation(format!(
            "1 validation error detected: Value '{prefix}' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*"
        )))
    }
}

pub(super) fn tags(params: &Params) -> Vec<iam_core::model::Tag> {
    (1..)
        .map_while(|i| {
            let key = params.get(&format!("Tags.member.{i}.Key"))?;
            Some(iam_core::model::Tag {
                key: key.to_owned(),
                value: params
                    .get(&format!("Tags.member.{i}.Value"))
                    .unwrap_or("")
                    .to_owned(),
            })
        })
        .collect()
}

pub(super) fn flag(params: &Params, name: &str) -> bool {
    params.get(name) == Some("true")
}

pub(super) fn number<T: std::str::FromStr>(params: &Params, name: &str) -> Result<Option<T>, ApiError> {
    params
        .get(name)
        .map(|v| {
            v.parse::<T>()
                .map_err(|_| ApiError::validation(format!("Value '{v}' at '{name}' is not a number")))
        })
        .transpose()
}

/// AWS returns policy documents URL-encoded inside the XML.
pub(super) fn url_encode(text: &str) -> String {
    iam_core::credentials::sigv4::encode_component(text)
}
