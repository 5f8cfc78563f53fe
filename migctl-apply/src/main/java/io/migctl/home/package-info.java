/** {@code $MIGCTL_HOME} kept private: folders 0700, files 0600, and the checks on start. */
package io.migctl.home;
