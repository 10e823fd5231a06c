//! A grens node.
