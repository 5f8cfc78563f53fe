/** The node's runners: what performs the decisions of migctl-core on a real or simulated node. */
package io.migctl.node;
