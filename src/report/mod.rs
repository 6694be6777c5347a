//! (placeholder: implemented by its own feature)
