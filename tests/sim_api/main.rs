//! The simulated Kling backend over real HTTP on 127.0.0.1 (one test binary, one module per
//! concern).

mod elements;
mod faults;
mod gateway;
mod kling;
mod limits;
mod support;
mod v2;
mod validation;
mod video;
