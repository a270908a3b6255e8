//! Placeholder: filled by the service-layer work of issue 14.
