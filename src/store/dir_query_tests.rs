//! Unit tests of the filter-to-SQL translation: values are bound, wildcards escaped, value
//! paths anchored on an index.

use super::*;

fn sql_of(table: Table, cond: Cond) -> (String, usize) {
    let org = OrgId::parse("acme").expect("org");
    let q = ListQuery {
        cond: Some(cond),
        sort: None,
        offset: 0,
        limit: 10,
    };
    let (sql, filter, _) = build(table, &org, &q, true);
    (filter, sql.binds.len())
}

#[test]
fn values_are_always_bound_never_inlined() {
    let (text, binds) = sql_of(
        Table::Users,
        Cond::Col(Col::UserNameLc, Op::Eq, Val::Text("x' OR 1=1 --".into())),
    );
    assert_eq!(text, "r.org_id = $1 AND r.user_name_lc = $2");
    assert_eq!(binds, 2);
}

#[test]
fn like_wildcards_in_values_are_escaped() {
    let org = OrgId::parse("acme").expect("org");
    let q = ListQuery {
        cond: Some(Cond::Col(Col::UserNameLc, Op::Co, Val::Text("a%_b".into()))),
        sort: None,
        offset: 0,
        limit: 1,
    };
    let (sql, filter, _) = build(Table::Users, &org, &q, true);
    assert!(filter.contains("LIKE $2 ESCAPE"));
    assert!(matches!(&sql.binds[1], Bind::Text(t) if t == "%a\\%\\_b%"));
}

#[test]
fn element_filters_anchor_on_the_value_equality() {
    let cond = Cond::Element(
        "emails".into(),
        ElemCond::And(vec![
            ElemCond::Cmp("emails.type".into(), Op::Eq, "work".into()),
            ElemCond::Cmp("emails.value".into(), Op::Eq, "a@x".into()),
        ]),
    );
    let (text, _) = sql_of(Table::Users, cond);
    assert!(text.contains("e.attr = $3 AND e.value_lc = $4"), "{text}");
    assert!(text.contains("s1.elem = e.elem"), "{text}");
}

#[test]
fn counts_bind_no_sort_parameter() {
    let org = OrgId::parse("acme").expect("org");
    let q = ListQuery {
        cond: None,
        sort: Some((SortKey::Value("title".into()), true)),
        offset: 0,
        limit: 10,
    };
    let (count, _, no_order) = build(Table::Users, &org, &q, false);
    assert_eq!((count.binds.len(), no_order.as_str()), (1, ""));
    let (page, _, order) = build(Table::Users, &org, &q, true);
    assert_eq!(page.binds.len(), 2);
    assert!(order.contains("sv.attr = $2"), "{order}");
}
