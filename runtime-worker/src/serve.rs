//! `wasi:http` handlers served on a socket, as `wasmtime serve` serves them:
//! every request is one run (`Entry::Http`) of a fresh instance under the
//! same profile, so each request is limited, traced and reported like any
//! other run, and a handler that traps spoils only its own request (one that
//! hangs holds its client until the profile's timeout, or until serving
//! stops, which stops it).
//!
//! The request body is read whole (up to `ServeOptions::max_body`) before the
//! handler starts, and the response body is collected whole before it is
//! sent: fine for looking at a handler, not for streaming.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;

use crate::boundary::event::{HttpResponse, RunOutcome, WorkerCommand, WorkerEvent};
use crate::boundary::profile::SandboxProfile;
use crate::boundary::request::{Entry, HttpRequest, RunRequest};
use crate::inspect::load::LoadedModule;
use crate::run::{Commander, Runtime};

/// How long a request's body may take to arrive.
const BODY_TIME: Duration = Duration::from_secs(30);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How requests are served.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Record each request's host calls (`Served::events` then has them).
    pub record_calls: bool,
    /// Largest request body taken; a larger one gets 413.
    pub max_body: usize,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions { record_calls: false, max_body: 16 << 20 }
    }
}

/// One request, answered.
#[derive(Debug)]
pub struct Served {
    /// Counts from 0 in the order requests arrived.
    pub id: u64,
    pub peer: SocketAddr,
    pub request: HttpRequest,
    /// What the run reported (phases, output, host calls when recorded),
    /// ending with `Finished`.
    pub events: Vec<WorkerEvent>,
    pub outcome: RunOutcome,
    /// From the request's arrival to its response, as the client waits.
    pub total: Duration,
}

impl Served {
    /// The status the client got.
    pub fn status(&self) -> u16 {
        match &self.outcome {
            RunOutcome::Responded(response) => response.status,
            _ => 500,
        }
    }
}

/// Answers requests on `listener` until `should_stop` says so (asked every
/// 100 ms); `on_request` sees each one once it is answered.
pub fn serve(
    runtime: &Runtime,
    module: LoadedModule,
    profile: SandboxProfile,
    options: ServeOptions,
    listener: TcpListener,
    should_stop: impl Fn() -> bool,
    on_request: impl Fn(Served) + Send + Sync + 'static,
) -> std::io::Result<()> {
    let shared = Arc::new(Shared {
        runtime: runtime.clone(),
        module,
        profile,
        options,
        next_id: AtomicU64::new(0),
        on_request: Box::new(on_request),
        in_flight: Mutex::new(HashMap::new()),
    });
    let stopper = Arc::clone(&shared);
    let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    tokio.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    // A connection that failed before it was accepted
                    // (reset by the client, out of descriptors): the next
                    // one may work.
                    Err(_) => continue,
                },
                () = tokio::time::sleep(Duration::from_millis(100)) => {
                    if should_stop() {
                        // Requests still being handled are stopped (they
                        // answer 500), so that serving ends now.
                        for commander in lock(&stopper.in_flight).values() {
                            commander.send(WorkerCommand::Stop);
                        }
                        return Ok(());
                    }
                    continue;
                }
            };
            let shared = Arc::clone(&shared);
            tokio::task::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let shared = Arc::clone(&shared);
                    async move { Ok::<_, std::convert::Infallible>(shared.answer(request, peer).await) }
                });
                // A client that goes away mid-request ends its connection only.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

struct Shared {
    runtime: Runtime,
    module: LoadedModule,
    profile: SandboxProfile,
    options: ServeOptions,
    next_id: AtomicU64,
    on_request: Box<dyn Fn(Served) + Send + Sync>,
    /// The runs answering a request now, by request.
    in_flight: Mutex<HashMap<u64, Commander>>,
}

type Reply = hyper::Response<Full<Bytes>>;

impl Shared {
    async fn answer(&self, request: hyper::Request<Incoming>, peer: SocketAddr) -> Reply {
        let arrived = Instant::now();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (parts, body) = request.into_parts();
        let body = match tokio::time::timeout(BODY_TIME, Limited::new(body, self.options.max_body).collect()).await {
            Ok(Ok(body)) => body.to_bytes(),
            Ok(Err(_)) => return text(413, &format!("the request body is over {} bytes\n", self.options.max_body)),
            Err(_) => return text(408, &format!("the request body did not arrive within {} s\n", BODY_TIME.as_secs())),
        };
        let request = HttpRequest {
            method: parts.method.to_string(),
            path: parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_string(),
            headers: crate::sandbox::http::header_pairs(&parts.headers),
            body: body.to_vec(),
        };
        let mut run = RunRequest::new(self.module.clone(), self.profile.clone(), Entry::Http(request.clone()));
        run.record_calls = self.options.record_calls;
        let handle = self.runtime.start(run);
        lock(&self.in_flight).insert(id, handle.commander());
        let events: Vec<WorkerEvent> = tokio::task::spawn_blocking(move || handle.wait()).await.unwrap_or_default();
        let outcome = events
            .iter()
            .rev()
            .find_map(|e| match e {
                WorkerEvent::Finished(outcome) => Some(outcome.clone()),
                _ => None,
            })
            .unwrap_or(RunOutcome::Stopped);
        lock(&self.in_flight).remove(&id);
        let reply = match &outcome {
            RunOutcome::Responded(response) => reply_of(response),
            other => text(500, &format!("wasmscope: the handler did not answer: {}\n", describe(other))),
        };
        (self.on_request)(Served { id, peer, request, events, outcome, total: arrived.elapsed() });
        reply
    }
}

fn reply_of(response: &HttpResponse) -> Reply {
    let mut builder = hyper::Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(Full::new(Bytes::from(response.body.clone())))
        .unwrap_or_else(|e| text(500, &format!("wasmscope: the handler's response is not valid HTTP: {e}\n")))
}

fn text(status: u16, body: &str) -> Reply {
    let mut reply = hyper::Response::new(Full::new(Bytes::from(body.to_string())));
    *reply.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    reply
}

/// Why a run gave no response, in a few words.
pub fn describe(outcome: &RunOutcome) -> String {
    match outcome {
        RunOutcome::Responded(response) => format!("answered {}", response.status),
        RunOutcome::Exited { code } => format!("the handler exited with {code}"),
        RunOutcome::Returned { .. } => "the handler returned without a response".to_string(),
        RunOutcome::Trapped(trap) => format!("the handler trapped: {}", trap.message),
        RunOutcome::Stopped => "the run was stopped".to_string(),
        RunOutcome::TimedOut => "the handler passed its time limit".to_string(),
        RunOutcome::Failed { message, .. } => message.clone(),
    }
}
