//! Encrypted assertions from two real IdPs that read axid's SP metadata for the encryption
//! certificate: npm samlify (@authenio/xml-encryption, Node's crypto) and PyPI pysaml2
//! (through the xmlsec1 binary), with AES-256-GCM and AES-256-CBC content. pysaml2's own
//! default content cipher, 3DES, is refused as weak. Tools as in peers.rs.

use std::path::Path;

use serde_json::json;

use super::peers::{
    login_and_check, pysaml2_command, require, run_tool, samlify_command, tool_path,
};
use super::*;
use crate::helpers::{new_client, TestApp};
use crate::saml_both_dbs;

saml_both_dbs!(
    samlify_encrypted_logins_succeed_with_gcm_and_signed_cbc,
    pysaml2_encrypted_logins_succeed_and_its_3des_default_is_weak
);

const GCM: &str = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
const CBC: &str = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
/// (signing mode, content cipher): CBC only where the Response signature covers it.
const CASES: [(&str, &str); 3] = [("assertion", GCM), ("both", CBC), ("response", CBC)];

/// Configures acme to accept encrypted assertions and writes its SP metadata to a file.
async fn metadata_file(app: &TestApp) -> (std::path::PathBuf, std::path::PathBuf) {
    configured(
        app,
        "acme",
        json!({"saml": {"accept_encrypted_assertions": true}}),
    )
    .await;
    let metadata = new_client()
        .get(sp_entity(app, "acme"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metadata.contains("use=\"encryption\""));
    let dir = std::env::temp_dir().join(format!("axid-enc-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("sp_md.xml");
    std::fs::write(&file, metadata).unwrap();
    (dir, file)
}

async fn samlify_encrypted_logins_succeed_with_gcm_and_signed_cbc(app: TestApp) {
    let node_dir = tool_path("AXID_SAML_NODE_DIR", "saml-node");
    let present = node_dir.join("node_modules/samlify/package.json").exists();
    if require("samlify", present).is_none() {
        return;
    }
    let (dir, md_file) = metadata_file(&app).await;
    for (mode, content) in CASES {
        let flow = start_login(&app, "acme", "/").await;
        let mut cmd = samlify_command(&app, &node_dir, &flow, mode);
        cmd.env("SP_METADATA", &md_file).env("ENCRYPT", content);
        let response = run_tool(cmd).await;
        let xml = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(&response)
                .unwrap(),
        )
        .unwrap();
        assert!(
            xml.contains(content) && !xml.contains("alice@acme.com"),
            "{mode}: not encrypted"
        );
        login_and_check(&app, &flow, &response, mode, "samlify encrypted").await;
    }
    let _ = std::fs::remove_dir_all(dir);
}

async fn pysaml2_encrypted_logins_succeed_and_its_3des_default_is_weak(app: TestApp) {
    let python = tool_path("AXID_SAML_VENV", "saml-venv").join("bin/python");
    let xmlsec = ["/usr/bin/xmlsec1", "/usr/local/bin/xmlsec1"]
        .iter()
        .any(|p| Path::new(p).exists());
    if require("pysaml2", python.exists()).is_none() || require("xmlsec1", xmlsec).is_none() {
        return;
    }
    let (dir, md_file) = metadata_file(&app).await;
    for (mode, content) in CASES {
        let flow = start_login(&app, "acme", "/").await;
        let mut cmd = pysaml2_command(&app, &md_file, &dir, &flow, mode);
        cmd.env("ENCRYPT", content);
        let response = run_tool(cmd).await;
        login_and_check(&app, &flow, &response, mode, "pysaml2 encrypted").await;
    }
    let flow = start_login(&app, "acme", "/").await;
    let mut cmd = pysaml2_command(&app, &md_file, &dir, &flow, "both");
    cmd.env("ENCRYPT", "default");
    let response = run_tool(cmd).await;
    let res = post_in_flow(&app, "acme", &response, &flow).await;
    assert_refused(res, 403, "weak_algorithm").await;
    let _ = std::fs::remove_dir_all(dir);
}
