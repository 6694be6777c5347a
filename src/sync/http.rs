//! The one place where HTTP meets [`crate::Error`].
//!
//! Status and transport failures map to error codes here and nowhere else:
//! timeouts and refused connections are `Offline`, 401/403 `Auth`, 404
//! `NotFound`; 5xx, 429 and a body that is not the JSON we expected are
//! transient and retried a bounded number of times with exponential backoff
//! and jitter (a `Retry-After` is honoured, capped). Tokens travel in
//! sensitive headers and never appear in messages. The `Date` of every
//! answer is kept: it is the server's clock ([`HttpClient::server_time`]).

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, DATE, RETRY_AFTER};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::{Error, Result};

/// How hard to try before giving up. All values are configurable per source
/// (see [`super::SyncOptions`]) so that tests can make them short.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff delay; doubles with each retry (plus up to 50 % jitter).
    pub base_delay: Duration,
    /// No single wait is longer than this, `Retry-After` included.
    pub max_delay: Duration,
    /// Whole-request timeout (connect, send, read the body).
    pub timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// A JSON-over-HTTP client with retries and one error mapping.
pub struct HttpClient {
    client: reqwest::Client,
    headers: HeaderMap,
    policy: RetryPolicy,
    requests: AtomicU64,
    /// The `Date` of the latest answer that had one, as unix seconds
    /// ([`NO_DATE`] until then).
    server_time: AtomicI64,
}

/// [`HttpClient::server_time`] before any answer carried a `Date`.
const NO_DATE: i64 = i64::MIN;

/// One failed attempt: the error to report and whether trying again may help.
struct Attempt {
    error: Error,
    retry: bool,
    retry_after: Option<Duration>,
}

impl HttpClient {
    /// A client that sends `secret_header: token` (marked sensitive) with
    /// every request, when a token is given.
    pub fn new(policy: RetryPolicy, secret_header: &str, token: Option<&str>) -> Result<HttpClient> {
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(token) = token {
            let name = HeaderName::from_bytes(secret_header.as_bytes())
                .map_err(|_| Error::Internal(format!("bad header name {secret_header}")))?;
            let mut value = HeaderValue::from_str(token)
                .map_err(|_| Error::invalid("the API token contains characters that cannot be sent in a header"))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        let client = reqwest::Client::builder()
            .timeout(policy.timeout)
            .connect_timeout(policy.connect_timeout)
            .pool_max_idle_per_host(16)
            .user_agent(concat!("hypercare-desk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(HttpClient { client, headers, policy, requests: AtomicU64::new(0), server_time: AtomicI64::new(NO_DATE) })
    }

    /// Requests sent so far, retries included.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The server's clock as its latest answer gave it (the HTTP `Date`
    /// header, whole seconds, RFC 9110 §6.6.1), whatever the answer's
    /// status; `None` until an answer carried a `Date` that parses.
    pub fn server_time(&self) -> Option<DateTime<Utc>> {
        match self.server_time.load(Ordering::Relaxed) {
            NO_DATE => None,
            secs => DateTime::from_timestamp(secs, 0),
        }
    }

    /// GET `url` and parse the body as `T`, retrying transient failures.
    pub async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T> {
        self.get_with(url, |body| parse_json::<T>(url, body)).await
    }

    /// GET `url` and turn the body into `T` with `parse`; a parse error
    /// (which must be a `BadResponse`) is retried like a transient failure,
    /// since truncated bodies usually are. HTML and empty bodies are refused
    /// before `parse` sees them.
    pub async fn get_with<T>(&self, url: &str, parse: impl Fn(&[u8]) -> Result<T>) -> Result<T> {
        match self.get_unless(url, &[], parse).await? {
            Some(v) => Ok(v),
            None => Err(Error::Internal(format!("{} gave no answer", strip_query(url)))),
        }
    }

    /// Like [`HttpClient::get_with`], but an answer with one of the `absent`
    /// statuses (say 403/404/410 for one record) is `None`, not an error:
    /// a permanent refusal of one record must not block the others.
    pub async fn get_unless<T>(&self, url: &str, absent: &[u16], parse: impl Fn(&[u8]) -> Result<T>) -> Result<Option<T>> {
        self.get_unless_with_headers(url, absent, |body, _| parse(body)).await
    }

    /// Like [`HttpClient::get_unless`], with the answer's headers given to
    /// `parse` too (a total count that a server sends as a header).
    pub async fn get_unless_with_headers<T>(
        &self,
        url: &str,
        absent: &[u16],
        parse: impl Fn(&[u8], &HeaderMap) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut attempt = 0u32;
        loop {
            match self.try_get(url, absent).await {
                Ok(None) => return Ok(None),
                Ok(Some((body, headers))) => match check_body(url, &body).and_then(|()| parse(&body, &headers)) {
                    Ok(v) => return Ok(Some(v)),
                    Err(error) => self.give_up_or_wait(attempt, Attempt { error, retry: true, retry_after: None }).await?,
                },
                Err(failure) => self.give_up_or_wait(attempt, failure).await?,
            }
            attempt += 1;
        }
    }

    async fn give_up_or_wait(&self, attempt: u32, failure: Attempt) -> Result<()> {
        if !failure.retry || attempt >= self.policy.max_retries {
            return Err(failure.error);
        }
        let wait = match failure.retry_after {
            Some(d) => d.min(self.policy.max_delay),
            None => backoff(&self.policy, attempt),
        };
        tracing::debug!(attempt, ?wait, error = %failure.error, "retrying");
        tokio::time::sleep(wait).await;
        Ok(())
    }

    async fn try_get(&self, url: &str, absent: &[u16]) -> std::result::Result<Option<(Vec<u8>, HeaderMap)>, Attempt> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let resp = self.client.get(url).headers(self.headers.clone()).send().await.map_err(|e| transport(url, &e))?;
        let date = resp.headers().get(DATE).and_then(|v| v.to_str().ok()).and_then(parse_http_date);
        if let Some(at) = date {
            self.server_time.store(at.timestamp(), Ordering::Relaxed);
        }
        let status = resp.status();
        if absent.contains(&status.as_u16()) {
            return Ok(None);
        }
        if !status.is_success() {
            // A retry date is on the server's clock: count from its `Date`.
            let server_now = date.unwrap_or_else(Utc::now);
            let retry_after = resp.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| parse_retry_after(v, server_now));
            return Err(status_error(url, status, retry_after));
        }
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(|e| transport(url, &e))?;
        Ok(Some((body.to_vec(), headers)))
    }
}

/// The delay before retry number `attempt + 1`: base × 2^attempt, plus up to
/// 50 % jitter, capped.
pub fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let base = policy.base_delay.saturating_mul(1u32 << attempt.min(16));
    let jitter = base.mul_f64(rand::random::<f64>() * 0.5);
    (base + jitter).min(policy.max_delay)
}

/// `Retry-After` as seconds or an HTTP date; a date counts from `now`,
/// which must be on the server's clock (the answer's `Date`) for a server
/// whose clock differs from this machine's.
pub fn parse_retry_after(v: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let secs = (parse_http_date(v)? - now).num_milliseconds().max(0);
    Some(Duration::from_millis(secs as u64))
}

/// An HTTP date: the IMF-fixdate every current server sends
/// (`Sun, 06 Nov 1994 08:49:37 GMT`) or one of the two obsolete forms a
/// recipient must still accept (RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`,
/// asctime `Sun Nov  6 08:49:37 1994`).
pub fn parse_http_date(v: &str) -> Option<DateTime<Utc>> {
    let v = v.trim();
    if let Ok(at) = DateTime::parse_from_rfc2822(v) {
        return Some(at.with_timezone(&Utc));
    }
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(v, f).ok())
        .map(|at| at.and_utc())
}

fn transport(url: &str, e: &reqwest::Error) -> Attempt {
    let reason = if e.is_timeout() {
        "the server did not answer in time".to_string()
    } else if e.is_connect() {
        "the connection was refused or failed".to_string()
    } else if e.is_body() || e.is_decode() {
        "the connection broke while reading the answer".to_string()
    } else {
        // reqwest's Display includes the URL (never the headers).
        format!("{e}")
    };
    Attempt { error: Error::Offline { url: strip_query(url), reason }, retry: true, retry_after: None }
}

fn status_error(url: &str, status: StatusCode, retry_after: Option<Duration>) -> Attempt {
    let shown = strip_query(url);
    let (error, retry) = match status.as_u16() {
        401 | 403 => (
            Error::Auth(format!(
                "{shown} refused the API token (HTTP {}); check the token and that its user may see the project",
                status.as_u16()
            )),
            false,
        ),
        404 => (Error::not_found(format!("{shown} was not found (HTTP 404); check the URL and the project")), false),
        410 => (
            Error::BadResponse(format!(
                "{shown} is gone (HTTP 410): the server removed this API endpoint; this client or the server's API version is out of date"
            )),
            false,
        ),
        429 | 500..=599 => (
            Error::Offline {
                url: shown,
                reason: format!("the server is busy or failing (HTTP {}), even after retries", status.as_u16()),
            },
            true,
        ),
        code => (Error::BadResponse(format!("{shown} answered HTTP {code}, which this client does not expect")), false),
    };
    Attempt { error, retry, retry_after }
}

/// Refuse an empty body or an HTML page where JSON was expected.
pub fn check_body(url: &str, body: &[u8]) -> Result<()> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Err(Error::BadResponse(format!("{} answered with an empty body where JSON was expected", strip_query(url)))),
        Some(b'<') => Err(Error::BadResponse(format!(
            "{} answered with an HTML page where JSON was expected (a proxy or login page?); check the URL",
            strip_query(url)
        ))),
        _ => Ok(()),
    }
}

/// Parse a JSON body, naming the URL and the problem when it is not JSON.
pub fn parse_json<'a, T: serde::Deserialize<'a>>(url: &str, body: &'a [u8]) -> Result<T> {
    check_body(url, body)?;
    serde_json::from_slice(body).map_err(|e| match std::str::from_utf8(body) {
        // Name the real problem: JSON text must be UTF-8.
        Err(u) => Error::BadResponse(format!(
            "{} answered with text that is not valid UTF-8 (at byte {}); the server or a proxy on the way \
             sends another encoding",
            strip_query(url),
            u.valid_up_to()
        )),
        Ok(_) => json_error(url, &e),
    })
}

/// A `BadResponse` for JSON that did not parse, naming the URL.
pub fn json_error(url: &str, e: &serde_json::Error) -> Error {
    let what = if e.is_eof() { "truncated JSON" } else { "unexpected JSON" };
    Error::BadResponse(format!("{} answered with {what} ({e})", strip_query(url)))
}

/// The URL without its query string, for messages.
fn strip_query(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = parse_http_date("Wed, 21 Oct 2015 07:27:00 GMT").expect("date");
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), Some(Duration::from_secs(60)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:26:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn http_dates_read_in_all_three_forms() {
        let at = DateTime::from_timestamp(784_111_777, 0);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), at);
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), at);
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), at);
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy { base_delay: Duration::from_millis(100), max_delay: Duration::from_millis(700), ..Default::default() };
        let d0 = backoff(&p, 0);
        assert!(d0 >= Duration::from_millis(100) && d0 <= Duration::from_millis(150));
        let d2 = backoff(&p, 2);
        assert!(d2 >= Duration::from_millis(400) && d2 <= Duration::from_millis(600));
        assert_eq!(backoff(&p, 10), Duration::from_millis(700));
    }

    #[test]
    fn html_and_truncated_bodies_are_bad_responses_naming_the_url() {
        let e = parse_json::<serde_json::Value>("http://h/issues.json?key=1", b"<html>oops</html>").unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::BadResponse);
        assert!(e.to_string().contains("http://h/issues.json") && e.to_string().contains("HTML"));
        let e = parse_json::<serde_json::Value>("http://h/x.json", b"{\"issues\": [1, 2").unwrap_err();
        assert!(e.to_string().contains("truncated JSON"), "{e}");
        let e = parse_json::<serde_json::Value>("http://h/y.json?k=2", b"{\"a\": \"caf\xe9\"}").unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::BadResponse);
        assert!(e.to_string().contains("not valid UTF-8 (at byte 10)") && e.to_string().contains("http://h/y.json"), "{e}");
    }

    #[test]
    fn statuses_map_to_codes() {
        use crate::ErrorCode;
        let code = |s: u16| status_error("http://h/x", StatusCode::from_u16(s).unwrap(), None);
        assert_eq!(code(401).error.code(), ErrorCode::Auth);
        assert!(!code(403).retry);
        assert_eq!(code(404).error.code(), ErrorCode::NotFound);
        assert!(code(503).retry && code(429).retry && code(500).retry);
        assert_eq!(code(422).error.code(), ErrorCode::BadResponse);
        assert!(code(410).error.to_string().contains("removed this API endpoint") && !code(410).retry);
    }
}
