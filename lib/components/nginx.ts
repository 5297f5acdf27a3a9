/**
 * The start of an unprivileged nginx's configuration, up to its `http` block's own
 * settings: one worker, pid and temporary files under `tmp` (the root filesystem is
 * read-only), logs to the container's output.
 */
export function nginxPreamble(tmp: string): string {
  return `worker_processes 1;
pid ${tmp}/nginx.pid;
error_log /dev/stderr warn;
events {
  worker_connections 1024;
}
http {
  access_log /dev/stdout;
  client_body_temp_path ${tmp}/client_body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
`;
}
