//! Directory list queries: the filter IR the SCIM layer builds from an RFC 7644 §3.4.2.2
//! filter, and its translation into one parameterised SQL statement. Every value is a bound
//! parameter; the SQL text holds only fragments written here. Positive conditions on indexed
//! values become `r.id IN (SELECT ... )` so the planner drives from an index.

use crate::domain::OrgId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Users,
    Groups,
}

/// Columns a filter or sort may use directly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    Id,
    UserNameLc,
    DisplayNameLc,
    ExternalId,
    Active,
    CreatedAt,
    UpdatedAt,
}

impl Col {
    fn sql(self) -> &'static str {
        match self {
            Self::Id => "r.id",
            Self::UserNameLc => "r.user_name_lc",
            Self::DisplayNameLc => "r.display_name_lc",
            Self::ExternalId => "r.external_id",
            Self::Active => "r.active",
            Self::CreatedAt => "r.created_at",
            Self::UpdatedAt => "r.updated_at",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Text(String),
    Bool(bool),
    Int(i64),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Col(Col, Op, Val),
    ColPresent(Col),
    /// An indexed value (`scim_values`), compared lowercased.
    Value(String, Op, String),
    ValuePresent(String),
    /// `attr[...]`: some element of a multi-valued attribute satisfies the inner condition.
    Element(String, ElemCond),
    /// Groups: has this member; users: belongs to this group.
    Member(String),
    MemberPresent,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ElemCond {
    And(Vec<ElemCond>),
    Or(Vec<ElemCond>),
    Not(Box<ElemCond>),
    Cmp(String, Op, String),
    Present(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SortKey {
    Col(Col),
    Value(String),
}

#[derive(Clone, Debug)]
pub struct ListQuery {
    pub cond: Option<Cond>,
    pub sort: Option<(SortKey, bool)>,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Bind {
    Text(String),
    Bool(bool),
    Int(i64),
    /// A NULL text: every nullable column a write plan binds (write_plan.rs) is text, and
    /// PostgreSQL wants a NULL of the column's type.
    Null,
}

impl From<&str> for Bind {
    fn from(t: &str) -> Self {
        Self::Text(t.to_owned())
    }
}

impl From<Option<&str>> for Bind {
    fn from(t: Option<&str>) -> Self {
        t.map_or(Self::Null, Self::from)
    }
}

impl From<i64> for Bind {
    fn from(i: i64) -> Self {
        Self::Int(i)
    }
}

impl From<bool> for Bind {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

pub(super) struct Sql {
    pub(super) text: String,
    pub(super) binds: Vec<Bind>,
    aliases: usize,
}

impl Sql {
    pub(super) fn bind(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }
    fn alias(&mut self) -> String {
        self.aliases += 1;
        format!("s{}", self.aliases)
    }
}

fn op_sql(op: Op) -> &'static str {
    match op {
        Op::Eq | Op::Co | Op::Sw | Op::Ew => "=",
        Op::Ne => "<>",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Lt => "<",
        Op::Le => "<=",
    }
}

/// `lhs <op> $n`, with co/sw/ew as LIKE patterns whose wildcards are escaped.
fn compare(sql: &mut Sql, lhs: &str, op: Op, text: String) -> String {
    let escaped = || {
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    };
    let pattern = match op {
        Op::Co => Some(format!("%{}%", escaped())),
        Op::Sw => Some(format!("{}%", escaped())),
        Op::Ew => Some(format!("%{}", escaped())),
        _ => None,
    };
    match pattern {
        Some(p) => {
            let n = sql.bind(Bind::Text(p));
            format!("{lhs} LIKE {n} ESCAPE '\\'")
        }
        None => {
            let n = sql.bind(Bind::Text(text));
            format!("{lhs} {} {n}", op_sql(op))
        }
    }
}

fn cond_sql(sql: &mut Sql, table: Table, org: &str, cond: &Cond) -> String {
    let join = |sql: &mut Sql, parts: &[Cond], sep: &str| {
        let parts: Vec<String> = parts.iter().map(|c| cond_sql(sql, table, org, c)).collect();
        format!("({})", parts.join(sep))
    };
    match cond {
        Cond::And(parts) => join(sql, parts, " AND "),
        Cond::Or(parts) => join(sql, parts, " OR "),
        Cond::Not(inner) => format!("NOT ({})", cond_sql(sql, table, org, inner)),
        Cond::Col(col, op, val) => {
            let lhs = col.sql();
            let text = match val {
                Val::Text(t) => compare(sql, lhs, *op, t.clone()),
                Val::Bool(b) => {
                    let n = sql.bind(Bind::Bool(*b));
                    format!("{lhs} {} {n}", op_sql(*op))
                }
                Val::Int(i) => {
                    let n = sql.bind(Bind::Int(*i));
                    format!("{lhs} {} {n}", op_sql(*op))
                }
            };
            if *op == Op::Ne {
                format!("({lhs} IS NULL OR {text})")
            } else {
                text
            }
        }
        Cond::ColPresent(col) => format!("{} IS NOT NULL", col.sql()),
        Cond::Value(attr, op, value) => {
            let o = sql.bind(Bind::Text(org.to_owned()));
            let a = sql.bind(Bind::Text(attr.clone()));
            let (negate, op) = if *op == Op::Ne {
                (true, Op::Eq)
            } else {
                (false, *op)
            };
            let cmp = compare(sql, "v.value_lc", op, value.clone());
            format!(
                "r.id {}IN (SELECT v.resource_id FROM scim_values v WHERE v.org_id = {o} AND v.attr = {a} AND {cmp})",
                if negate { "NOT " } else { "" }
            )
        }
        Cond::ValuePresent(attr) => {
            let o = sql.bind(Bind::Text(org.to_owned()));
            let a = sql.bind(Bind::Text(attr.clone()));
            format!("r.id IN (SELECT v.resource_id FROM scim_values v WHERE v.org_id = {o} AND v.attr = {a})")
        }
        Cond::Element(attr, inner) => element_sql(sql, org, attr, inner),
        Cond::Member(id) => {
            let o = sql.bind(Bind::Text(org.to_owned()));
            let m = sql.bind(Bind::Text(id.clone()));
            match table {
                Table::Groups => format!("r.id IN (SELECT m.group_id FROM group_members m WHERE m.org_id = {o} AND m.user_id = {m})"),
                Table::Users => format!("r.id IN (SELECT m.user_id FROM group_members m WHERE m.org_id = {o} AND m.group_id = {m})"),
            }
        }
        Cond::MemberPresent => match table {
            Table::Groups => {
                "EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = r.id)".into()
            }
            Table::Users => "EXISTS (SELECT 1 FROM group_members m WHERE m.user_id = r.id)".into(),
        },
    }
}

/// Elements are anchored on one indexed row (an `eq` on the element's `value` when there is
/// one, else the element's marker row); every sub-condition is checked on the same `elem`.
fn element_sql(sql: &mut Sql, org: &str, attr: &str, inner: &ElemCond) -> String {
    let anchor = match inner {
        ElemCond::Cmp(a, Op::Eq, v) => Some((a.clone(), v.clone())),
        ElemCond::And(parts) => {
            let eqs: Vec<(String, String)> = parts
                .iter()
                .filter_map(|p| match p {
                    ElemCond::Cmp(a, Op::Eq, v) => Some((a.clone(), v.clone())),
                    _ => None,
                })
                .collect();
            eqs.iter()
                .find(|(a, _)| a.ends_with(".value"))
                .or(eqs.first())
                .cloned()
        }
        _ => None,
    };
    let (anchor_attr, anchor_value) = anchor.unwrap_or_else(|| (attr.to_owned(), String::new()));
    let o = sql.bind(Bind::Text(org.to_owned()));
    let a = sql.bind(Bind::Text(anchor_attr));
    let v = sql.bind(Bind::Text(anchor_value));
    let body = elem_sql(sql, inner);
    format!("r.id IN (SELECT e.resource_id FROM scim_values e WHERE e.org_id = {o} AND e.attr = {a} AND e.value_lc = {v} AND {body})")
}

fn elem_sql(sql: &mut Sql, cond: &ElemCond) -> String {
    match cond {
        ElemCond::And(parts) | ElemCond::Or(parts) => {
            let sep = if matches!(cond, ElemCond::And(_)) {
                " AND "
            } else {
                " OR "
            };
            let parts: Vec<String> = parts.iter().map(|p| elem_sql(sql, p)).collect();
            format!("({})", parts.join(sep))
        }
        ElemCond::Not(inner) => format!("NOT ({})", elem_sql(sql, inner)),
        ElemCond::Cmp(attr, op, value) => {
            let s = sql.alias();
            let a = sql.bind(Bind::Text(attr.clone()));
            let (negate, op) = if *op == Op::Ne {
                (true, Op::Eq)
            } else {
                (false, *op)
            };
            let cmp = compare(sql, &format!("{s}.value_lc"), op, value.clone());
            format!(
                "{}EXISTS (SELECT 1 FROM scim_values {s} WHERE {s}.resource_id = e.resource_id AND {s}.elem = e.elem AND {s}.attr = {a} AND {cmp})",
                if negate { "NOT " } else { "" }
            )
        }
        ElemCond::Present(attr) => {
            let s = sql.alias();
            let a = sql.bind(Bind::Text(attr.clone()));
            format!("EXISTS (SELECT 1 FROM scim_values {s} WHERE {s}.resource_id = e.resource_id AND {s}.elem = e.elem AND {s}.attr = {a})")
        }
    }
}

/// `WHERE` and `ORDER BY` of a list query over `table`.
/// The ORDER BY (and its bound sort attribute) only when `ordered`: a COUNT must bind
/// exactly the parameters its text uses, or PostgreSQL refuses the statement.
pub(super) fn build(
    table: Table,
    org: &OrgId,
    q: &ListQuery,
    ordered: bool,
) -> (Sql, String, String) {
    let mut sql = Sql {
        text: String::new(),
        binds: Vec::new(),
        aliases: 0,
    };
    let o = sql.bind(Bind::Text(org.as_str().to_owned()));
    let mut filter = format!("r.org_id = {o}");
    if let Some(cond) = &q.cond {
        let c = cond_sql(&mut sql, table, org.as_str(), cond);
        filter.push_str(" AND ");
        filter.push_str(&c);
    }
    let order = match &q.sort {
        _ if !ordered => String::new(),
        None => "r.created_at, r.id".to_owned(),
        Some((key, desc)) => {
            let expr = match key {
                SortKey::Col(c) => c.sql().to_owned(),
                SortKey::Value(attr) => {
                    let a = sql.bind(Bind::Text(attr.clone()));
                    format!("(SELECT MIN(sv.value_lc) FROM scim_values sv WHERE sv.resource_id = r.id AND sv.attr = {a})")
                }
            };
            let dir = if *desc { "DESC" } else { "ASC" };
            format!("({expr} IS NULL), {expr} {dir}, r.created_at, r.id")
        }
    };
    (sql, filter, order)
}

/// The `WHERE` text of a filter over `table` and how many parameters it binds: what the
/// SCIM filter fuzz target checks (every placeholder is bound; no input text is spliced).
#[doc(hidden)]
pub fn filter_sql(table: Table, org: &OrgId, cond: &Cond) -> (String, usize) {
    let q = ListQuery {
        cond: Some(cond.clone()),
        sort: None,
        offset: 0,
        limit: 1,
    };
    let (sql, filter, _) = build(table, org, &q, false);
    (filter, sql.binds.len())
}

/// Binds every parameter of a built query, in order.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut q = $query;
        for b in $binds {
            q = match b {
                Bind::Text(t) => q.bind(t),
                Bind::Bool(v) => q.bind(v),
                Bind::Int(i) => q.bind(i),
                Bind::Null => q.bind(None::<String>),
            };
        }
        q
    }};
}
pub(super) use bind_all;

#[cfg(test)]
#[path = "dir_query_tests.rs"]
mod tests;
