# Sourced by the device-machine scripts: unpacks the carried Vulkan/GL loader packages, node and
# dawn.node from $C (the carried folder), and exports what Dawn needs to find the NVIDIA driver.
for f in "$C"/*.deb; do dpkg -x "$f" /; done
ldconfig
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
mkdir -p /tmp/b
[ -x /tmp/b/node ] || { xz -dc "$C/node.xz" > /tmp/b/node && chmod +x /tmp/b/node; }
[ -f /tmp/b/dawn.node ] || xz -dc "$C/dawn.node.xz" > /tmp/b/dawn.node
export DAWN_NODE=/tmp/b/dawn.node
