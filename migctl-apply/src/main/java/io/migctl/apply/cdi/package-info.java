/**
 * The Container Device Interface spec of a node's MIG devices, which container engines read to give
 * a container one MIG device by name ({@code --device nvidia.com/mig=MIG-…}). See {@link
 * io.migctl.apply.cdi.CdiSpec}.
 */
package io.migctl.apply.cdi;
