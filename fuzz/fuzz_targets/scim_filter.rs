//! Fuzz target for SCIM filters (RFC 7644 §3.4.2.2): any text is parsed and lowered against
//! the User and Group schemas, then to SQL. Nothing panics, and the SQL binds every
//! placeholder it names: input text reaches the database only as a bound parameter.
#![no_main]

use axid::domain::OrgId;
use axid::scim::schema::{GROUP, USER};
use axid::store::{filter_sql, Table};
use libfuzzer_sys::fuzz_target;

fn placeholders_bound(sql: &str, binds: usize) {
    let bytes = sql.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b != b'$' {
            continue;
        }
        let digits: String = sql[i + 1..].chars().take_while(char::is_ascii_digit).collect();
        let n: usize = digits.parse().expect("a placeholder has a number");
        assert!(n >= 1 && n <= binds, "${n} of {binds} binds in {sql}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let org = OrgId::parse("acme").expect("org id");
    for (schema, table) in [(&USER, Table::Users), (&GROUP, Table::Groups)] {
        if let Ok(cond) = axid::scim::filter::parse(schema, text) {
            let (sql, binds) = filter_sql(table, &org, &cond);
            placeholders_bound(&sql, binds);
        }
    }
});
