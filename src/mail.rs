//! Outgoing mail: password reset links over SMTP (lettre), or logged when SMTP is not
//! configured (DESIGN.md: a development convenience, warned about at start).

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{SmtpSettings, SmtpTls};
use crate::domain::OrgId;

#[derive(Clone)]
pub struct Mailer {
    transport: Option<(AsyncSmtpTransport<Tokio1Executor>, String)>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("smtp", &self.transport.is_some())
            .finish()
    }
}

impl Mailer {
    pub fn new(smtp: Option<&SmtpSettings>) -> Result<Self, String> {
        let Some(smtp) = smtp else {
            return Ok(Self { transport: None });
        };
        let builder = match smtp.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                .map_err(|e| format!("SMTP_HOST: {e}"))?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                .map_err(|e| format!("SMTP_HOST: {e}"))?,
        };
        let mut builder = builder
            .port(smtp.port)
            .timeout(Some(std::time::Duration::from_secs(10)));
        if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        smtp.from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| format!("SMTP_FROM: {e}"))?;
        Ok(Self {
            transport: Some((builder.build(), smtp.from.clone())),
        })
    }

    pub fn is_configured(&self) -> bool {
        self.transport.is_some()
    }

    pub async fn send_reset_link(&self, to: &str, org: &OrgId, link: &str) -> Result<(), String> {
        let Some((transport, from)) = &self.transport else {
            tracing::warn!(%org, %link, "SMTP is not configured; password reset link logged instead of mailed");
            return Ok(());
        };
        let body = format!(
            "Someone asked to reset the password of the organization \"{org}\".\n\n\
             Open this link within 30 minutes to choose a new password (it works once):\n{link}\n\n\
             If this was not you, ignore this mail; the password stays as it is.\n"
        );
        let message = Message::builder()
            .from(from.parse().map_err(|e| format!("from: {e}"))?)
            .to(to.parse().map_err(|e| format!("contact email: {e}"))?)
            .subject(format!("Reset the password of {org}"))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("building mail: {e}"))?;
        transport
            .send(message)
            .await
            .map_err(|e| format!("SMTP: {e}"))?;
        Ok(())
    }
}
