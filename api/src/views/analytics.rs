//! Mood analytics are shown exactly as the engine computes them (its types derive
//! `Serialize` in the spec's camelCase and, with the `openapi` feature, their schemas).

pub use hugmood_actors::domain::analytics::Analytics as AnalyticsView;
