/* make bench's floor for the cold start: a bare WebKitGTK window (no Tauri, no Tickmark) on a
 * one-line page, with the app's window size. It prints "rendered" on stdout once the page has
 * run a script and a frame has been drawn after it (requestAnimationFrame, then a task), the
 * same moment Tickmark's start-up trace reports for its first grid page, and exits. Whatever
 * it takes from spawn to that line is WebKitGTK's (and the X server's) own start, not ours.
 *
 * cc -O2 benches/webkit_floor.c $(pkg-config --cflags --libs webkit2gtk-4.1) -o webkit-floor */
#include <stdio.h>
#include <stdlib.h>
#include <gtk/gtk.h>
#include <webkit2/webkit2.h>

static const char *PAGE =
    "<!doctype html><html><body><p id=p>Tickmark</p><script>"
    "requestAnimationFrame(() => setTimeout(() => window.webkit.messageHandlers.floor.postMessage('rendered')));"
    "</script></body></html>";

static void rendered(WebKitUserContentManager *m, WebKitJavascriptResult *r, gpointer data) {
    (void)m; (void)r; (void)data;
    printf("rendered\n");
    fflush(stdout);
    exit(0);
}

int main(int argc, char **argv) {
    gtk_init(&argc, &argv);
    GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
    gtk_window_set_default_size(GTK_WINDOW(window), 1280, 800);
    WebKitUserContentManager *content = webkit_user_content_manager_new();
    g_signal_connect(content, "script-message-received::floor", G_CALLBACK(rendered), NULL);
    webkit_user_content_manager_register_script_message_handler(content, "floor");
    GtkWidget *view = webkit_web_view_new_with_user_content_manager(content);
    gtk_container_add(GTK_CONTAINER(window), view);
    webkit_web_view_load_html(WEBKIT_WEB_VIEW(view), PAGE, "about:blank");
    gtk_widget_show_all(window);
    gtk_main();
    return 1;
}
