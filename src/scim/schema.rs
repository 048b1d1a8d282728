//! The attribute definitions axid serves (RFC 7643 §4 User and Group, §4.3 enterprise User
//! extension): one table that drives input coercion, PATCH path resolution, filters,
//! projections and the `/Schemas` discovery documents.

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    String,
    Boolean,
    Integer,
    DateTime,
    Reference,
    Complex,
    Binary,
}

impl Ty {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Boolean => "boolean",
            Self::Integer => "integer",
            Self::DateTime => "dateTime",
            Self::Reference => "reference",
            Self::Complex => "complex",
            Self::Binary => "binary",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    WriteOnly,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returned {
    Always,
    Default,
    Never,
}

#[derive(Debug)]
pub struct Attr {
    pub name: &'static str,
    pub ty: Ty,
    pub multi: bool,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub unique: bool,
    pub sub: &'static [Attr],
    pub description: &'static str,
}

impl Attr {
    /// A sub-attribute by name, case-insensitively (RFC 7643 §2.1).
    pub fn sub(&self, name: &str) -> Option<&'static Attr> {
        self.sub.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }
    pub fn read_only(&self) -> bool {
        self.mutability == Mutability::ReadOnly
    }
}

const fn a(name: &'static str, ty: Ty, description: &'static str) -> Attr {
    Attr {
        name,
        ty,
        multi: false,
        required: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        returned: Returned::Default,
        unique: false,
        sub: &[],
        description,
    }
}

const fn complex(name: &'static str, sub: &'static [Attr], description: &'static str) -> Attr {
    Attr {
        sub,
        ..a(name, Ty::Complex, description)
    }
}

const fn multi(name: &'static str, sub: &'static [Attr], description: &'static str) -> Attr {
    Attr {
        multi: true,
        ..complex(name, sub, description)
    }
}

const fn read_only(attr: Attr) -> Attr {
    Attr {
        mutability: Mutability::ReadOnly,
        ..attr
    }
}

const S: Ty = Ty::String;

const NAME: &[Attr] = &[
    a("formatted", S, "The full name"),
    a("familyName", S, "The family name"),
    a("givenName", S, "The given name"),
    a("middleName", S, "The middle name(s)"),
    a("honorificPrefix", S, "The honorific prefix(es)"),
    a("honorificSuffix", S, "The honorific suffix(es)"),
];

const TYPED_VALUE: &[Attr] = &[
    a("value", S, "The value"),
    a("display", S, "A human-readable name"),
    a("type", S, "A label indicating the function"),
    a("primary", Ty::Boolean, "The primary value"),
];

const ADDRESS: &[Attr] = &[
    a("formatted", S, "The full mailing address"),
    a("streetAddress", S, "The street address"),
    a("locality", S, "The city or locality"),
    a("region", S, "The state or region"),
    a("postalCode", S, "The zip code or postal code"),
    a("country", S, "The country"),
    a("type", S, "work, home or other"),
    a("primary", Ty::Boolean, "The primary address"),
];

const USER_GROUP: &[Attr] = &[
    read_only(a("value", S, "The id of the group")),
    read_only(a("$ref", Ty::Reference, "The URI of the group")),
    read_only(a("display", S, "The displayName of the group")),
    read_only(a("type", S, "direct or indirect")),
];

pub const USER_ATTRS: &[Attr] = &[
    Attr {
        required: true,
        unique: true,
        ..a(
            "userName",
            S,
            "Unique identifier for the user, case-insensitive",
        )
    },
    complex("name", NAME, "The components of the user's name"),
    a(
        "displayName",
        S,
        "The name of the user, suitable for display",
    ),
    a("nickName", S, "The casual way to address the user"),
    a(
        "profileUrl",
        Ty::Reference,
        "A URI of the user's online profile",
    ),
    a("title", S, "The user's title"),
    a(
        "userType",
        S,
        "The relationship between the organization and the user",
    ),
    a(
        "preferredLanguage",
        S,
        "The user's preferred written or spoken language",
    ),
    a("locale", S, "The user's default location"),
    a("timezone", S, "The user's time zone"),
    a("active", Ty::Boolean, "The user's administrative status"),
    Attr {
        mutability: Mutability::WriteOnly,
        returned: Returned::Never,
        ..a("password", S, "Never stored nor returned by axid")
    },
    multi("emails", TYPED_VALUE, "Email addresses for the user"),
    multi("phoneNumbers", TYPED_VALUE, "Phone numbers for the user"),
    multi("ims", TYPED_VALUE, "Instant messaging addresses"),
    multi("photos", TYPED_VALUE, "URLs of photos of the user"),
    multi("addresses", ADDRESS, "Physical mailing addresses"),
    read_only(multi(
        "groups",
        USER_GROUP,
        "The groups the user belongs to",
    )),
    multi("entitlements", TYPED_VALUE, "Entitlements of the user"),
    multi("roles", TYPED_VALUE, "Roles of the user"),
    multi(
        "x509Certificates",
        TYPED_VALUE,
        "X.509 certificates of the user",
    ),
    Attr {
        case_exact: true,
        ..a(
            "externalId",
            S,
            "The identifier of the user in the provisioning client",
        )
    },
];

const MANAGER: &[Attr] = &[
    a("value", S, "The id of the manager"),
    a("$ref", Ty::Reference, "The URI of the manager"),
    read_only(a("displayName", S, "The displayName of the manager")),
];

pub const ENTERPRISE_ATTRS: &[Attr] = &[
    a("employeeNumber", S, "Numeric or alphanumeric identifier"),
    a("costCenter", S, "Identifies the name of a cost center"),
    a("organization", S, "Identifies the name of an organization"),
    a("division", S, "Identifies the name of a division"),
    a("department", S, "Identifies the name of a department"),
    complex("manager", MANAGER, "The user's manager"),
];

const MEMBER: &[Attr] = &[
    Attr {
        mutability: Mutability::ReadWrite,
        case_exact: true,
        ..a("value", S, "The id of a member")
    },
    a("$ref", Ty::Reference, "The URI of a member"),
    a("display", S, "The name of a member, as the client sent it"),
    a("type", S, "User or Group, as the client sent it"),
];

pub const GROUP_ATTRS: &[Attr] = &[
    Attr {
        required: true,
        unique: true,
        ..a("displayName", S, "A human-readable name for the group")
    },
    multi("members", MEMBER, "The members of the group"),
    Attr {
        case_exact: true,
        ..a(
            "externalId",
            S,
            "The identifier of the group in the provisioning client",
        )
    },
];

/// The schemas of one resource type: its core attributes and its extensions.
#[derive(Debug)]
pub struct ResourceSchema {
    pub name: &'static str,
    pub endpoint: &'static str,
    pub core_urn: &'static str,
    pub core: &'static [Attr],
    pub extensions: &'static [(&'static str, &'static [Attr])],
}

pub static USER: ResourceSchema = ResourceSchema {
    name: "User",
    endpoint: "Users",
    core_urn: USER_SCHEMA,
    core: USER_ATTRS,
    extensions: &[(ENTERPRISE_SCHEMA, ENTERPRISE_ATTRS)],
};

pub static GROUP: ResourceSchema = ResourceSchema {
    name: "Group",
    endpoint: "Groups",
    core_urn: GROUP_SCHEMA,
    core: GROUP_ATTRS,
    extensions: &[],
};

/// A resolved reference to one attribute: `ext` is the extension URN when it lives there.
#[derive(Clone, Copy, Debug)]
pub struct AttrRef {
    pub ext: Option<&'static str>,
    pub attr: &'static Attr,
}

impl ResourceSchema {
    /// The extension URN equal (case-insensitively) to `urn`.
    pub fn extension(&self, urn: &str) -> Option<(&'static str, &'static [Attr])> {
        self.extensions
            .iter()
            .find(|(u, _)| u.eq_ignore_ascii_case(urn))
            .copied()
    }

    /// Finds `name`, optionally qualified by a schema URN (core or extension).
    pub fn resolve(&self, uri: Option<&str>, name: &str) -> Option<AttrRef> {
        let find =
            |attrs: &'static [Attr]| attrs.iter().find(|a| a.name.eq_ignore_ascii_case(name));
        match uri {
            None => find(self.core).map(|attr| AttrRef { ext: None, attr }),
            Some(u) if u.eq_ignore_ascii_case(self.core_urn) => {
                find(self.core).map(|attr| AttrRef { ext: None, attr })
            }
            Some(u) => {
                let (urn, attrs) = self.extension(u)?;
                find(attrs).map(|attr| AttrRef {
                    ext: Some(urn),
                    attr,
                })
            }
        }
    }
}

/// Lowercased index key of an attribute path, as stored in `scim_values.attr`.
pub fn value_key(ext: Option<&str>, name: &str, sub: Option<&str>) -> String {
    let mut key = String::new();
    if let Some(urn) = ext {
        key.push_str(urn);
        key.push(':');
    }
    key.push_str(name);
    if let Some(sub) = sub {
        key.push('.');
        key.push_str(sub);
    }
    key.to_lowercase()
}
