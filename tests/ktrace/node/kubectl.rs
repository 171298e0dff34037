//! Real kubectl against the test API server.
