//! Reading `message/delivery-status` fields (RFC 3464 §2.1): groups of header-style
//! fields separated by blank lines. Useful to check our DSNs and to read DSNs that
//! come back.

/// One group of fields (the per-message group, or one recipient's).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldGroup {
    /// `(name, value)` in order; values unfolded and trimmed.
    pub fields: Vec<(String, String)>,
}

impl FieldGroup {
    /// The first value of the field `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The field groups of a delivery-status body (CRLF or LF line ends). Lines that are
/// not fields are skipped; at most 10,000 groups are read.
pub fn parse_delivery_status(body: &str) -> Vec<FieldGroup> {
    let mut groups = Vec::new();
    let mut current = FieldGroup::default();
    for line in body.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            if !current.fields.is_empty() {
                groups.push(std::mem::take(&mut current));
                if groups.len() >= 10_000 {
                    return groups;
                }
            }
            continue;
        }
        if line.starts_with("--") {
            // A MIME boundary: the part ended.
            break;
        }
        if line.starts_with([' ', '\t']) {
            // Unfolded with one space, and still trimmed: a blank continuation
            // line adds nothing.
            let more = line.trim();
            if let Some((_, value)) = current.fields.last_mut()
                && !more.is_empty()
            {
                if !value.is_empty() {
                    value.push(' ');
                }
                value.push_str(more);
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            let name = name.trim();
            if !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic()) {
                current
                    .fields
                    .push((name.to_owned(), value.trim().to_owned()));
            }
        }
    }
    if !current.fields.is_empty() {
        groups.push(current);
    }
    groups
}
