//! The hostile routes of the test API server: answers that quote the request's credentials
//! back (in a body, a Status message, a redirect `Location`).

use bytes::Bytes;
use http::header::{AUTHORIZATION, HeaderValue, LOCATION};
use http::{Request, Response};
use hyper::body::Incoming;

use super::apiserver::{Body, Route, full_response, status_response};

/// The response for a hostile route; `None` for the ordinary ones.
pub(super) fn render(route: &Route, req: &Request<Incoming>) -> Option<Response<Body>> {
    let auth = req
        .headers()
        .get(AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    match route {
        Route::EchoAuth { code, as_status } => {
            let message = format!("request refused; you sent Authorization: {auth}");
            Some(if *as_status {
                status_response(*code, "Forbidden", &message, &serde_json::json!({}))
            } else {
                full_response(*code, "text/plain", Bytes::from(message))
            })
        }
        Route::Redirect { code, location } => {
            let token = auth.strip_prefix("Bearer ").unwrap_or(&auth);
            let to = location.replace("{token}", token);
            let page = format!("<a href=\"{to}\">moved</a>");
            let mut resp = full_response(*code, "text/html", Bytes::from(page));
            if let Ok(v) = HeaderValue::from_str(&to) {
                resp.headers_mut().insert(LOCATION, v);
            }
            Some(resp)
        }
        _ => None,
    }
}
