{
  "targets": [
    {
      "target_name": "rtnetlink",
      "sources": ["native/addon.cc", "native/socket.cc", "native/netns.cc", "native/throwaway.cc", "native/tun.cc", "native/openin.cc", "native/fdpass.cc", "native/blocks.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"]
    },
    {
      "target_name": "nsexec",
      "type": "executable",
      "sources": ["native/nsexec.c"],
      "cflags": ["-Wall", "-Wextra"]
    },
    {
      "target_name": "userns-helper",
      "type": "executable",
      "sources": ["native/userns-helper.c"],
      "cflags": ["-Wall", "-Wextra"]
    }
  ]
}
