-- migctl node store, schema 3.1: jobs on several devices (issue 20).
-- The first device stays in device_uuid/device_gpu/device_gi/device_profile; the others, in order,
-- one line each: "uuid gpu gi profile" (gi -1 for a whole GPU). NULL for a job with one device or
-- none, so rows written before this version read as they did.
ALTER TABLE jobs ADD COLUMN more_devices TEXT;
