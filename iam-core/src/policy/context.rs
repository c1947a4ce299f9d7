//! The request's context keys (`aws:SourceIp`, `aws:username`, `s3:prefix`, ...). Keys are
//! case-insensitive, so they are stored lower-cased; values keep their case.

use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    values: HashMap<String, Vec<String>>,
}

impl Context {
    /// Sets a single-valued key.
    pub fn set(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.values.insert(key.to_lowercase(), vec![value.into()]);
        self
    }

    /// Sets a multi-valued key (e.g. `aws:TagKeys`).
    pub fn set_list(&mut self, key: &str, values: Vec<String>) -> &mut Self {
        self.values.insert(key.to_lowercase(), values);
        self
    }

    pub fn remove(&mut self, key: &str) {
        self.values.remove(&key.to_lowercase());
    }

    /// The values of `key`, which must already be lower-cased.
    pub fn get(&self, lower_key: &str) -> Option<&[String]> {
        self.values.get(lower_key).map(Vec::as_slice)
    }

    pub fn first(&self, lower_key: &str) -> Option<&str> {
        self.get(lower_key).and_then(|v| v.first()).map(String::as_str)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
}
