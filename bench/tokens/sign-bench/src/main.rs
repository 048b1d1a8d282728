use std::time::Instant;
use rsa::pkcs8::EncodePrivateKey;
fn time<F: FnMut()>(name: &str, n: u32, mut f: F) {
    f();
    let t = Instant::now();
    for _ in 0..n { f(); }
    let us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!("{name:40} {us:9.1} us/op");
}
fn main() {
    let msg = b"eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwOi8vMTI3LjAuMC4xOjgwODAiLCJzdWIiOiJheGNfMTIzIn0";
    let mut rng = rand::thread_rng();
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let der = key.to_pkcs8_der().unwrap();
    let signing = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone());
    use rsa::signature::{Signer, SignatureEncoding};
    time("rustcrypto rsa RS256 sign", 200, || { let _ = signing.sign(msg).to_vec(); });
    let rk = ring::signature::RsaKeyPair::from_pkcs8(der.as_bytes()).unwrap();
    let rrng = ring::rand::SystemRandom::new();
    let mut sig = vec![0u8; rk.public().modulus_len()];
    time("ring RS256 sign", 500, || { rk.sign(&ring::signature::RSA_PKCS1_SHA256, &rrng, msg, &mut sig).unwrap(); });
    let pk = ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, rk.public().as_ref().to_vec());
    time("ring RS256 verify", 2000, || { pk.verify(msg, &sig).unwrap(); });
    let vk = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key.to_public_key());
    let s2 = signing.sign(msg);
    use rsa::signature::Verifier;
    time("rustcrypto RS256 verify", 2000, || { vk.verify(msg, &s2).unwrap(); });
    // ES256
    let p = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    time("rustcrypto p256 ES256 sign", 2000, || { let _: p256::ecdsa::Signature = p256::ecdsa::signature::Signer::sign(&p, msg); });
    let epk = ring::signature::EcdsaKeyPair::generate_pkcs8(&ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rrng).unwrap();
    let ek = ring::signature::EcdsaKeyPair::from_pkcs8(&ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING, epk.as_ref(), &rrng).unwrap();
    time("ring ES256 sign", 2000, || { let _ = ek.sign(&rrng, msg).unwrap(); });
    let d = ed25519_dalek::SigningKey::generate(&mut rng);
    time("dalek EdDSA sign", 2000, || { let _ = d.sign(msg); });
    let edp = ring::signature::Ed25519KeyPair::generate_pkcs8(&rrng).unwrap();
    let ed = ring::signature::Ed25519KeyPair::from_pkcs8(edp.as_ref()).unwrap();
    time("ring EdDSA sign", 2000, || { let _ = ed.sign(msg); });
    #[cfg(feature = "awslc")]
    {
        let ak = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(der.as_bytes()).unwrap();
        let arng = aws_lc_rs::rand::SystemRandom::new();
        let mut sig = vec![0u8; ak.public_modulus_len()];
        time("aws-lc-rs RS256 sign", 500, || { ak.sign(&aws_lc_rs::signature::RSA_PKCS1_SHA256, &arng, msg, &mut sig).unwrap(); });
        let epk = aws_lc_rs::signature::EcdsaKeyPair::generate_pkcs8(&aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING, &arng).unwrap();
        let ek = aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(&aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING, epk.as_ref()).unwrap();
        time("aws-lc-rs ES256 sign", 2000, || { let _ = ek.sign(&arng, msg).unwrap(); });
        let edp = aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(&arng).unwrap();
        let ed = aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8(edp.as_ref()).unwrap();
        time("aws-lc-rs EdDSA sign", 2000, || { let _ = ed.sign(msg); });
        awsverify();
    }
}
#[cfg(feature = "awslc")]
pub fn awsverify() {
    let msg = b"hello.world";
    let kp = aws_lc_rs::signature::RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let mut sig = vec![0u8; kp.public_modulus_len()];
    kp.sign(&aws_lc_rs::signature::RSA_PKCS1_SHA256, &rng, msg, &mut sig).unwrap();
    use aws_lc_rs::signature::KeyPair;
    let pk = aws_lc_rs::signature::ParsedPublicKey::new(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256, kp.public_key().as_ref()).unwrap();
    time("aws-lc-rs RS256 verify (parsed)", 5000, || { pk.verify_sig(msg, &sig).unwrap(); });
    let t = Instant::now();
    for _ in 0..5 { let _ = aws_lc_rs::signature::RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap(); }
    println!("aws-lc-rs RSA-2048 keygen {:.1} ms", t.elapsed().as_secs_f64()*1000.0/5.0);
}
