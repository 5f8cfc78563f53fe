/**
 * Running a job's command under a small {@code sh} supervisor that outlives the daemon and records
 * the command's exit status in the attempt's directory; signalling the command's process group;
 * reading its log files. See {@link io.migctl.daemon.run.JobProcesses}.
 */
package io.migctl.daemon.run;
