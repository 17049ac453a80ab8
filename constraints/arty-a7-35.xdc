# Digilent Arty A7-35T: pins of the bitloom board top level (xc7a35ticsg324-1L CSG324).
# Generated from constraints/boards.toml by bitloom_flow::boards: edit the table, not this file.
# Pins read from:
#   a: Digilent/digilent-xdc Arty-A7-35-Master.xdc (00a3404)
#   b: amaranth-lang/amaranth-boards amaranth_boards/arty_a7.py (fd2f0df)
#   c: trabucayre/openFPGALoader src/board.hpp, src/cable.hpp (d43508f)

# clk: CLK100MHZ (board clock, 100 MHz)
set_property -dict { PACKAGE_PIN E3 IOSTANDARD LVCMOS33 } [get_ports { clk }]
create_clock -add -name clk -period 10.000 -waveform {0.000 5.000} [get_ports { clk }]

# uart_rx: uart_txd_in (UART from the host, pulled up)
set_property -dict { PACKAGE_PIN A9 IOSTANDARD LVCMOS33 PULLUP true } [get_ports { uart_rx }]

# uart_tx: uart_rxd_out (UART to the host)
set_property -dict { PACKAGE_PIN D10 IOSTANDARD LVCMOS33 } [get_ports { uart_tx }]

# led[0]: led[4] (LED, lit when high)
set_property -dict { PACKAGE_PIN H5 IOSTANDARD LVCMOS33 } [get_ports { led[0] }]

# led[1]: led[5] (LED, lit when high)
set_property -dict { PACKAGE_PIN J5 IOSTANDARD LVCMOS33 } [get_ports { led[1] }]

# led[2]: led[6] (LED, lit when high)
set_property -dict { PACKAGE_PIN T9 IOSTANDARD LVCMOS33 } [get_ports { led[2] }]

# led[3]: led[7] (LED, lit when high)
set_property -dict { PACKAGE_PIN T10 IOSTANDARD LVCMOS33 } [get_ports { led[3] }]
