//! Cost and Usage Report CSV files: the day, service and unblended cost of each line item.
//! Every error names its line and column; a file with any error imports nothing.

use super::{Day, Micros};

pub const USAGE_START: &str = "lineItem/UsageStartDate";
pub const PRODUCT_CODE: &str = "lineItem/ProductCode";
pub const UNBLENDED_COST: &str = "lineItem/UnblendedCost";
/// Optional: with both, each line's usage quantity counts toward usage budgets.
pub const USAGE_TYPE: &str = "lineItem/UsageType";
pub const USAGE_AMOUNT: &str = "lineItem/UsageAmount";
/// A month of a busy account's report is a few hundred thousand lines; more is refused.
pub const MAX_LINES: usize = 500_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostLine {
    pub day: Day,
    pub service: String,
    pub amount: Micros,
    /// The usage type and quantity, when the file has those columns and the line a type.
    pub usage: Option<(String, Micros)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column `{column}`: {message}")]
pub struct ImportError {
    pub line: usize,
    pub column: String,
    pub message: String,
}

fn error(line: usize, column: &str, message: impl Into<String>) -> ImportError {
    ImportError {
        line,
        column: column.to_owned(),
        message: message.into(),
    }
}

/// Splits CSV text (RFC 4180: quoted fields, `""` inside quotes, line breaks inside quotes)
/// into records, each with the line it starts on.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, ImportError> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut start = 1;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                fields.push(std::mem::take(&mut field));
                out.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
                any = false;
            }
            (false, c) => field.push(c),
        }
        if out.len() > MAX_LINES {
            return Err(error(
                line,
                "",
                format!("the file has more than {MAX_LINES} lines"),
            ));
        }
    }
    if quoted {
        return Err(error(start, "", "a quoted field is not closed"));
    }
    if any {
        fields.push(field);
        out.push((start, fields));
    }
    Ok(out)
}

/// The file's cost lines, or the first problem.
pub fn parse(text: &str) -> Result<Vec<CostLine>, ImportError> {
    let mut rows = records(text)?.into_iter();
    let (_, header) = rows
        .next()
        .ok_or_else(|| error(1, "", "the file is empty; expected a header line"))?;
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| error(1, name, "the header has no such column"))
    };
    let (date_at, product_at, cost_at) = (
        column(USAGE_START)?,
        column(PRODUCT_CODE)?,
        column(UNBLENDED_COST)?,
    );
    let usage_at = column(USAGE_TYPE).ok().zip(column(USAGE_AMOUNT).ok());
    let mut lines = Vec::new();
    for (line, fields) in rows {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if fields.len() != header.len() {
            return Err(error(
                line,
                "",
                format!(
                    "expected {} fields like the header, found {}",
                    header.len(),
                    fields.len()
                ),
            ));
        }
        let date = fields[date_at].trim();
        let day = Day::parse(date).ok_or_else(|| {
            error(
                line,
                USAGE_START,
                format!("`{date}` is not a date like 2026-11-03T00:00:00Z"),
            )
        })?;
        let service = fields[product_at].trim();
        if service.is_empty() || service.len() > 100 {
            return Err(error(
                line,
                PRODUCT_CODE,
                "a product code of 1 to 100 characters is required",
            ));
        }
        let cost = fields[cost_at].trim();
        let amount = Micros::parse(cost).ok_or_else(|| {
            error(
                line,
                UNBLENDED_COST,
                format!("`{cost}` is not an amount like 12.34"),
            )
        })?;
        let usage = match usage_at {
            Some((type_at, amount_at)) if !fields[type_at].trim().is_empty() => {
                let raw = fields[amount_at].trim();
                let quantity = Micros::parse(raw).ok_or_else(|| {
                    error(line, USAGE_AMOUNT, format!("`{raw}` is not a quantity like 1.5"))
                })?;
                Some((fields[type_at].trim().to_owned(), quantity))
            }
            _ => None,
        };
        lines.push(CostLine {
            day,
            service: service.to_owned(),
            amount,
            usage,
        });
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "identity/LineItemId,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UnblendedCost\n";

    #[test]
    fn reads_the_three_columns_in_any_order_with_quotes() {
        let text = format!(
            "{HEADER}a,2026-11-01T00:00:00Z,AmazonEC2,1.25\r\n\"b,\"\"x\"\"\",2026-11-02T00:00:00Z,\"Amazon\nS3\",0.0000004\n\n"
        );
        let lines = parse(&text).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].amount, Micros(1_250_000));
        assert_eq!(lines[1].service, "Amazon\nS3");
        assert_eq!(lines[1].day.iso(), "2026-11-02");
    }

    #[test]
    fn reads_usage_quantities_when_the_columns_are_there() {
        let text = "lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UnblendedCost,lineItem/UsageType,lineItem/UsageAmount\n\
                    2026-11-01T00:00:00Z,AmazonEC2,0.0116,BoxUsage:t3.micro,1\n\
                    2026-11-01T00:00:00Z,AmazonS3,0.5,,\n";
        let lines = parse(text).unwrap();
        assert_eq!(
            lines[0].usage,
            Some(("BoxUsage:t3.micro".into(), Micros(1_000_000)))
        );
        assert_eq!(lines[1].usage, None);
        let bad = text.replace(",1\n", ",lots\n");
        assert_eq!(parse(&bad).unwrap_err().column, USAGE_AMOUNT);
    }

    #[test]
    fn names_the_bad_line_and_column() {
        let text = format!(
            "{HEADER}a,2026-11-01T00:00:00Z,AmazonEC2,1.25\nb,2026-11-02T00:00:00Z,AmazonS3,twelve\n"
        );
        let e = parse(&text).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 3, column `lineItem/UnblendedCost`: `twelve` is not an amount like 12.34"
        );
        let e = parse(&format!("{HEADER}a,11/02/2026,AmazonS3,1\n")).unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (2, USAGE_START));
        let e = parse("lineItem/UsageStartDate,lineItem/UnblendedCost\n").unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (1, PRODUCT_CODE));
        let e = parse(&format!("{HEADER}a,2026-11-01,AmazonEC2\n")).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(parse(&format!("{HEADER}\"a,2026")).is_err());
        assert!(parse("").is_err());
    }
}
