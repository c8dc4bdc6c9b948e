//! The `tracing` side: events in, vlog lines out.

use std::fmt::{self, Write as _};
use std::sync::Arc;

use tracing::field::{Field, Visit};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

use crate::{Level, Vlog};

/// A `tracing_subscriber` layer that logs every event through a [`Vlog`].
#[derive(Debug, Clone)]
pub struct VlogLayer {
    vlog: Arc<Vlog>,
}

impl VlogLayer {
    pub fn new(vlog: Arc<Vlog>) -> Self {
        VlogLayer { vlog }
    }
}

impl<S: Subscriber> Layer<S> for VlogLayer {
    fn register_callsite(&self, _metadata: &'static Metadata<'static>) -> Interest {
        // Levels change at run time (vlog/set), so no callsite may be cached
        // as always or never enabled.
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        // Spans cost little and other layers may want them.
        !metadata.is_event()
            || self
                .vlog
                .enabled(metadata.target(), Level::from_tracing(metadata.level()))
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let metadata = event.metadata();
        let mut visitor = Message::default();
        event.record(&mut visitor);
        visitor.finish();
        let mut level = Level::from_tracing(metadata.level());
        if visitor.emer && level == Level::Err {
            level = Level::Emer;
        }
        self.vlog.log(metadata.target(), level, &visitor.text);
    }
}

/// Collects the `message` field, then other fields as ` name=value`.
#[derive(Default)]
struct Message {
    text: String,
    fields: String,
    emer: bool,
}

impl Message {
    fn field(&mut self, field: &Field, value: fmt::Arguments<'_>) {
        if field.name() == "message" {
            let _ = self.text.write_fmt(value);
        } else {
            let _ = write!(self.fields, " {}={}", field.name(), value);
        }
    }
}

impl Visit for Message {
    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "emer" {
            self.emer = value;
        } else {
            self.field(field, format_args!("{value}"));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.field(field, format_args!("{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.field(field, format_args!("{value:?}"));
    }
}

impl Message {
    fn finish(&mut self) {
        let fields = std::mem::take(&mut self.fields);
        self.text.push_str(&fields);
    }
}
