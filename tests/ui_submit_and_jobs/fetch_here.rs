//! `d` on a job another machine of the team asked for (done there, no files here).

use super::*;

#[test]
fn d_on_another_machines_job_fetches_it_here_and_says_so() {
    let mut h = harness_with(&noir(), |board| {
        let mut elsewhere = job(7, board, JobPhase::Done);
        elsewhere.submitted_by = Some("ann@host-a".into());
        vec![elsewhere]
    });
    h.keys("6");
    h.keys("d");
    assert!(matches!(h.cmds.try_recv(), Ok(JobCmd::Redownload(7))));
    let said = h.app.toast().expect("a message").text.clone();
    assert!(
        said.contains("job #7")
            && said.contains("host-a")
            && said.contains("this copy of its project"),
        "{said}"
    );
}
