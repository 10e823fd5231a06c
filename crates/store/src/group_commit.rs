//! Group commit: concurrent writes (incoming messages, queued messages, settlements) wait
//! while one transaction commits, then go together in the next. Each caller still gets its own
//! answer only after the transaction holding its write has committed (and, on SQLite with
//! `synchronous=FULL`, been synced), so nothing acknowledged can be lost; but one commit and one
//! sync serve many writes.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

/// The most writes one transaction carries.
pub const MAX_BATCH: usize = 64;

/// How many times the committing task yields to gather more writes before it commits.
const GATHER_TURNS: usize = 4;

/// How long a commit under load waits for more writes.
const GATHER_WAIT: std::time::Duration = std::time::Duration::from_micros(500);

/// Moves the queued writes into `batch`, up to [`MAX_BATCH`].
fn drain<T>(jobs: &mut mpsc::UnboundedReceiver<T>, batch: &mut Vec<T>) {
    while batch.len() < MAX_BATCH {
        match jobs.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
}

type Job<Req, Resp> = (Req, oneshot::Sender<Result<Resp, String>>);

/// A queue of writes of one kind and the task that commits them in batches.
pub(crate) struct Batcher<Req, Resp> {
    queue: mpsc::UnboundedSender<Job<Req, Resp>>,
}

impl<Req, Resp> std::fmt::Debug for Batcher<Req, Resp> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Batcher")
    }
}

impl<Req: Send + 'static, Resp: Send + 'static> Batcher<Req, Resp> {
    /// Starts the committing task; `run` writes one batch in one transaction and answers each
    /// write, in order. The task ends when the last handle is dropped.
    pub(crate) fn start<F, Fut>(run: F) -> Arc<Self>
    where
        F: Fn(Vec<Req>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<Resp>, crate::StoreError>> + Send,
    {
        let (queue, mut jobs) = mpsc::unbounded_channel::<Job<Req, Resp>>();
        tokio::spawn(async move {
            let mut last_batch = 0;
            while let Some(first) = jobs.recv().await {
                let mut batch = vec![first];
                // A few turns of the scheduler let writers that are about to submit join this
                // transaction: one commit writes each touched index page once, whatever the
                // number of rows, so fuller batches write fewer pages per message.
                for _ in 0..GATHER_TURNS {
                    drain(&mut jobs, &mut batch);
                    if batch.len() >= MAX_BATCH {
                        break;
                    }
                    tokio::task::yield_now().await;
                }
                // Under load (the last commit carried several writes), wait a little longer for
                // the writes on their way, as PostgreSQL's `commit_delay` does; a lone write
                // never waits.
                if last_batch > 1 && batch.len() < MAX_BATCH {
                    tokio::time::sleep(GATHER_WAIT).await;
                    drain(&mut jobs, &mut batch);
                }
                last_batch = batch.len();
                let (requests, answers): (Vec<Req>, Vec<_>) = batch.into_iter().unzip();
                match run(requests).await {
                    Ok(results) => {
                        for (answer, result) in answers.into_iter().zip(results) {
                            let _ = answer.send(Ok(result));
                        }
                    }
                    Err(e) => {
                        let problem = e.to_string();
                        for answer in answers {
                            let _ = answer.send(Err(problem.clone()));
                        }
                    }
                }
            }
        });
        Arc::new(Batcher { queue })
    }

    /// Queues `request` and waits until its batch has committed.
    pub(crate) async fn submit(&self, request: Req) -> Result<Resp, crate::StoreError> {
        let (answer, result) = oneshot::channel();
        self.queue
            .send((request, answer))
            .map_err(|_| crate::StoreError::Batch("the store's writer has stopped".into()))?;
        result
            .await
            .map_err(|_| crate::StoreError::Batch("the store's writer has stopped".into()))?
            .map_err(crate::StoreError::Batch)
    }
}

/// One write of a store's group commit.
pub(crate) enum Write {
    /// A verified incoming message and its journal entry.
    Receive(crate::Incoming, crate::NewEntry),
    /// An outgoing message, its journal entry, and until when its sender holds it.
    Enqueue(crate::Outgoing, crate::NewEntry, jiff::Timestamp),
    /// How a delivery attempt ended.
    Settle(String, crate::Settlement, jiff::Timestamp),
}

/// The answer to one [`Write`].
pub(crate) enum Written {
    Received(crate::Received),
    Queued(Box<crate::Entry>),
    Settled,
}

/// Which kind each write of a batch was, in the batch's order.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Receive,
    Enqueue,
    Settle,
}

/// Puts the answers of each kind back in the order of the batch's writes.
pub(crate) fn in_order(
    received: Vec<crate::Received>,
    queued: Vec<crate::Entry>,
    kinds: &[Kind],
) -> Result<Vec<Written>, crate::StoreError> {
    let (mut received, mut queued) = (received.into_iter(), queued.into_iter());
    let missing = || crate::StoreError::Batch("a write of the batch got no answer".into());
    kinds
        .iter()
        .map(|kind| match kind {
            Kind::Receive => received.next().map(Written::Received).ok_or_else(missing),
            Kind::Enqueue => queued.next().map(|e| Written::Queued(Box::new(e))).ok_or_else(missing),
            Kind::Settle => Ok(Written::Settled),
        })
        .collect()
}

/// A store's group commit: one queue for the three kinds of write.
pub(crate) type Writer = Batcher<Write, Written>;
